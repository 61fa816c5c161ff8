from rest_framework.permissions import DjangoModelPermissionsOrAnonReadOnly


class ModelPermissionsOrReadOnly(DjangoModelPermissionsOrAnonReadOnly):
    """Anyone may read; a write needs the model permission that the admin checks too.

    The curator group holds add/change/delete on papers, claims and evidence and add/change
    on topics (claims/migrations/0002_roles.py); superusers hold all. One set of grants, so
    the API and the admin never disagree about who may write what.
    """
