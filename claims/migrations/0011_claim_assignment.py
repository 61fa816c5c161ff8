# A submitted claim, or one flagged for re-review, assigned to a reviewer (workflow.assign);
# cleared when the claim is decided, sent back or confirmed.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0010_rereview'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='claim',
            name='assigned_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='claim',
            name='assigned_reviewer',
            field=models.ForeignKey(blank=True, editable=False, help_text='The reviewer asked to decide it; it comes first in their review queue.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='claims_assigned', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('assigned_reviewer__isnull', True), ('assigned_at__isnull', True)), models.Q(('assigned_reviewer__isnull', False), ('assigned_at__isnull', False), models.Q(('status', 'submitted'), models.Q(('needs_rereview', True), ('status', 'accepted')), _connector='OR')), _connector='OR'), name='claim_assigned_while_awaiting_review', violation_error_message='Only a submitted claim, or one flagged for re-review, is assigned to a reviewer, and then with its time.'),
        ),
    ]
