"""Who may read a report and its evidence, and who may change them."""
from thidua.auth.roles import Role
from thidua.registration.permissions import is_own_unit


def _assigned_reviewer(user, initiative) -> bool:
    # Imported here: the review stage builds on this one.
    from thidua.review.permissions import is_assigned_reviewer

    return is_assigned_reviewer(user, initiative)


def can_view(user, initiative) -> bool:
    """The unit itself, the secretariat and leaders, and a reviewer with an active assignment on it."""
    if not user.is_authenticated:
        return False
    if user.role in (Role.SECRETARIAT, Role.LEADER):
        return True
    if user.role == Role.REVIEWER:
        return _assigned_reviewer(user, initiative)
    return is_own_unit(user, initiative)


def can_download(user, initiative) -> bool:
    if not user.is_authenticated:
        return False
    if user.role == Role.SECRETARIAT:
        return True
    if user.role == Role.REVIEWER:
        return _assigned_reviewer(user, initiative)
    return is_own_unit(user, initiative)


def can_edit(user, initiative) -> bool:
    return user.is_authenticated and is_own_unit(user, initiative)
