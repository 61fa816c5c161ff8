"""Who holds which curation role.

Curators and reviewers are members of the Django groups of those names (created by a
migration). Superusers hold every role. Staff powers (retracting accepted claims,
acting for an author) belong to superusers and to users granted "Can retract claims".
The is_staff flag alone only opens the admin site.
"""

from claims.choices import Role

RETRACT_PERMISSION = "claims.retract_claim"


def _group_names(user) -> frozenset[str]:
    cached = getattr(user, "_curation_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._curation_group_names = cached
    return cached


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_curator(user) -> bool:
    return _active(user) and (user.is_superuser or Role.CURATOR in _group_names(user))


def is_reviewer(user) -> bool:
    return _active(user) and (user.is_superuser or Role.REVIEWER in _group_names(user))


def has_staff_powers(user) -> bool:
    return _active(user) and (user.is_superuser or user.has_perm(RETRACT_PERMISSION))


def sees_everything(user) -> bool:
    """Curators, reviewers and staff see drafts and submissions; everyone else accepted work."""
    return is_curator(user) or is_reviewer(user) or has_staff_powers(user)
