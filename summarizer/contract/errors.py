"""Errors a user can act on: each carries a one-line message and the exit code to use."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1  # the grounding report has problems (or an article of a batch failed)
EXIT_BAD_INPUT = 2  # unreadable file, JSON that does not fit the contract, bad options
EXIT_SERVICE = 3  # the model service failed: key, quota, refusal, cut-off, outage


class UserError(Exception):
    """Something the user can fix; shown as one line, never as a traceback."""

    exit_code: int = EXIT_BAD_INPUT


class InputError(UserError):
    exit_code = EXIT_BAD_INPUT


class ServiceError(UserError):
    exit_code = EXIT_SERVICE


class FatalServiceError(ServiceError):
    """A failure every further request would meet too (key, access, quota, model): a batch
    stops sending and records the articles left with this reason."""


class NotSent(ServiceError):
    """A request held back because the batch stopped sending; `reason` is the failure that
    stopped it."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"not attempted: {reason}")
        self.reason = reason

    def __reduce__(self) -> tuple[type[NotSent], tuple[str]]:
        return NotSent, (self.reason,)


def describe_validation_error(error: object, source: str) -> str:
    """One line naming the first field of a pydantic ValidationError that is wrong."""
    errors = error.errors()  # type: ignore[attr-defined]
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{source}: field {where}: {first['msg']}{more}; it must follow contract v1"
