"""Who may read a report and its evidence, and who may change them."""
from thidua.auth.roles import Role
from thidua.registration.permissions import is_own_unit


def can_view(user, initiative) -> bool:
    """The unit itself and the secretariat (assigned reviewers join with the review stage)."""
    if not user.is_authenticated:
        return False
    if user.role in (Role.SECRETARIAT, Role.LEADER):
        return True
    return is_own_unit(user, initiative)


def can_download(user, initiative) -> bool:
    if not user.is_authenticated:
        return False
    if user.role == Role.SECRETARIAT:
        return True
    return is_own_unit(user, initiative)


def can_edit(user, initiative) -> bool:
    return user.is_authenticated and is_own_unit(user, initiative)
