"""The refusals of a change of state, each with its message for the user in Vietnamese.

At the bottom of the package: the phases refuse a move after the deadline, the workflow refuses the
others, and every stage refuses with its own subclass; the views catch `WorkflowError`.
"""


class WorkflowError(Exception):
    """A refused change of state, with a message for the user in Vietnamese."""


class TransitionNotAllowed(WorkflowError):
    pass


class NotPermitted(WorkflowError):
    pass


class DeadlinePassed(WorkflowError):
    pass


class ReasonRequired(WorkflowError):
    pass
