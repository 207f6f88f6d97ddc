"""Who may read a report and its evidence, and who may change them."""
from thidua.auth.roles import Role
from thidua.registration.permissions import is_own_unit

# f(user, initiative) -> bool: a reviewer the review stage has given the initiative to read (an active
# assignment). The review stage builds on this one, so thidua.stages.wire() binds it; unbound, no reviewer reads.
REVIEWER_READS: list = []


def _assigned_reviewer(user, initiative) -> bool:
    return any(reads(user, initiative) for reads in REVIEWER_READS)


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
