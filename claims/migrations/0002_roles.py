"""The curator and reviewer groups with their model permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR = {
    "paper": ("add", "change", "delete", "view"),
    "topic": ("add", "change", "view"),
    "claim": ("add", "change", "delete", "view"),
    "evidence": ("add", "change", "delete", "view"),
    "evidencetype": ("view",),
    "curatorreview": ("view",),
    "claimversion": ("view",),
}
REVIEWER = {
    "paper": ("view",),
    "topic": ("view",),
    "claim": ("view",),
    "evidence": ("view",),
    "evidencetype": ("view",),
    "curatorreview": ("add", "view"),
    "claimversion": ("view",),
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    app_config = apps.get_app_config("claims")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    grant_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def grant_roles(Group, Permission):
    """Make the role groups with their permissions (also used by tests that flush tables)."""
    for name, grants in (("curator", CURATOR), ("reviewer", REVIEWER)):
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_{model}" for model, actions in grants.items() for action in actions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["curator", "reviewer"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
