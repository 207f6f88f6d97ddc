"""Who may publish, adopt, and read an adoption's file."""
from thidua.auth.roles import Role
from thidua.workflow import State

PUBLISHABLE_STATES = frozenset({State.SHORTLISTED.value, State.AWARDED.value, State.PUBLISHED.value})


def can_publish(user, initiative) -> bool:
    return (user.is_authenticated and user.role == Role.SECRETARIAT
            and initiative.status in PUBLISHABLE_STATES)


def can_adopt(user, entry) -> bool:
    """A unit account, for a published model of another unit."""
    return (user.is_authenticated and user.is_unit_member and user.unit_id is not None
            and entry.is_public and entry.unit_id != user.unit_id)


def can_read_adoption_file(user, adoption, entry) -> bool:
    """The secretariat and leaders, the adopting unit, and the unit whose model it is."""
    if not user.is_authenticated:
        return False
    if user.role in (Role.SECRETARIAT, Role.LEADER):
        return True
    return user.is_unit_member and user.unit_id in (adoption.unit_id, entry.unit_id)
