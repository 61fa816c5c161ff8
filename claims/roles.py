"""Who holds which curation role. Roles are Django groups (see choices.Role)."""

from claims.choices import Role


def _group_names(user) -> frozenset[str]:
    if not user or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_curation_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._curation_group_names = cached
    return cached


def is_curator(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or Role.CURATOR in _group_names(user)))


def is_reviewer(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or Role.REVIEWER in _group_names(user)))


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def sees_everything(user) -> bool:
    """Curators, reviewers and staff see drafts and submissions; everyone else, accepted work."""
    return is_curator(user) or is_reviewer(user)
