"""Domain errors: each carries a message a clerk can act on, already in the user's language."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of every error the GUI and the command line show to the user as it is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class FieldProblem:
    field: str  # a stable key, e.g. "delivery_date" or "lines[2].quantity", for highlighting in forms
    message: str


class ValidationError(DomainError):
    """Input is wrong; `problems` names each field so a form can mark it."""

    def __init__(self, problems: list[FieldProblem] | str, field: str = ""):
        if isinstance(problems, str):
            problems = [FieldProblem(field, problems)]
        self.problems = problems
        super().__init__("\n".join(p.message for p in problems))


class PermissionDenied(DomainError):
    pass


class NotFound(DomainError):
    pass


class GateError(DomainError):
    """The procedure does not allow this step yet (e.g. planning before the contract is signed)."""


class ConcurrentEditError(DomainError):
    """Someone else saved the same record since it was opened."""


class AuthenticationError(DomainError):
    pass


class StorageError(DomainError):
    """The database is locked, damaged or unreachable."""
