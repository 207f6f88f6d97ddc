"""Who may read or change an initiative, given its unit and state."""
from thidua.auth.roles import Role
from thidua.workflow import State


def is_own_unit(user, initiative) -> bool:
    return user.is_unit_member and user.unit_id == initiative.unit_id


def can_view(user, initiative) -> bool:
    if not user.is_authenticated:
        return False
    if user.role in (Role.SECRETARIAT, Role.LEADER):
        return True
    return is_own_unit(user, initiative)


def can_edit(user, initiative) -> bool:
    """The role and ownership half of editing; the state and deadline are checked by the service."""
    return user.is_authenticated and is_own_unit(user, initiative)


def can_delete(user, initiative) -> bool:
    """Its unit deletes a withdrawn initiative that was never registered (services.delete_withdrawn)."""
    return (user.is_authenticated and is_own_unit(user, initiative) and initiative.status == State.WITHDRAWN
            and initiative.registered_at is None)
