from rest_framework.permissions import SAFE_METHODS, BasePermission

from claims.roles import is_curator


class CuratorWritesOthersRead(BasePermission):
    """Anyone may read; staff and members of the curator group may write."""

    message = "Writing needs the curator role (or staff)."

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or is_curator(request.user)
