"""Users, groups and DRF's tokens: the admins their apps register, with the history page asking
for the permission before it looks the object up (base.PermissionBeforeLookup), as the
project's own admins do. Curators and reviewers are staff and may not see these records, so no
page may tell them which ids exist."""

from django.contrib import admin
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import TokenProxy

from claims.admin.base import PermissionBeforeLookup


def _asking_first(model):
    if not admin.site.is_registered(model):
        return
    registered = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(model, type(registered.__name__, (PermissionBeforeLookup, registered), {}))


for _model in (User, Group, TokenProxy):
    _asking_first(_model)
