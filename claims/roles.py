"""Who holds which curation role.

Curators and reviewers are members of the Django groups of those names (created by a
migration). Superusers hold every role. Staff powers (retracting accepted claims,
acting for an author) belong to superusers and to users granted "Can retract claims".
The is_staff flag alone only opens the admin site.
"""

from claims.choices import Role

RETRACT_PERMISSION = "claims.retract_claim"


def _roles(user) -> frozenset[str]:
    """The user's roles, read once per user object (a request's user: once per request).

    Everything is read together so that any role question costs the same queries,
    whichever is asked first.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_curation_roles", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset({Role.CURATOR, Role.REVIEWER, "staff"})
        else:
            cached = frozenset(user.groups.values_list("name", flat=True))
            if user.has_perm(RETRACT_PERMISSION):
                cached |= {"staff"}
        user._curation_roles = cached
    return cached


def is_curator(user) -> bool:
    return Role.CURATOR in _roles(user)


def is_reviewer(user) -> bool:
    return Role.REVIEWER in _roles(user)


def has_staff_powers(user) -> bool:
    return "staff" in _roles(user)


def sees_everything(user) -> bool:
    """Curators, reviewers and staff see drafts and submissions; everyone else accepted work."""
    return is_curator(user) or is_reviewer(user) or has_staff_powers(user)
