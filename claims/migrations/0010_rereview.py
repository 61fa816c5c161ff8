# Claims flagged for re-review (claims/rereview.py, workflow.confirm) and preprints linked to
# their published version (evidence citing both counts once in claims/synthesis.py).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0009_api_tokens'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='claim',
            name='needs_rereview',
            field=models.BooleanField(default=False, editable=False, help_text='Something it rests on changed since it was accepted: a reviewer should confirm that it stands, or staff retract it.', verbose_name='needs re-review'),
        ),
        migrations.AddField(
            model_name='claim',
            name='rereview_reason',
            field=models.TextField(blank=True, editable=False, help_text='What changed, one line each.', verbose_name='re-review reason'),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='needs_rereview',
            field=models.BooleanField(default=False, editable=False, help_text='Something it rests on changed since it was accepted: a reviewer should confirm that it stands, or staff retract it.', verbose_name='needs re-review'),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='rereview_reason',
            field=models.TextField(blank=True, editable=False, help_text='What changed, one line each.', verbose_name='re-review reason'),
        ),
        migrations.AddField(
            model_name='historicalpaper',
            name='published_version',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='For a preprint: the paper it was published as.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='claims.paper'),
        ),
        migrations.AddField(
            model_name='paper',
            name='published_version',
            field=models.ForeignKey(blank=True, help_text='For a preprint: the paper it was published as.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='preprints', to='claims.paper'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(condition=models.Q(('needs_rereview', True)), fields=['-updated_at', '-id'], name='claim_rereview_queue'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('needs_rereview', True), models.Q(('rereview_reason', ''), _negated=True)), models.Q(('needs_rereview', False), ('rereview_reason', '')), _connector='OR'), name='claim_rereview_has_reason', violation_error_message='A claim flagged for re-review says why, and only then.'),
        ),
        migrations.AddConstraint(
            model_name='paper',
            constraint=models.CheckConstraint(condition=models.Q(('published_version', models.F('pk')), _negated=True), name='paper_not_its_own_published_version', violation_error_message='A paper is not its own published version.'),
        ),
    ]
