"""The errors a caller should catch: each carries a one-line message and the exit code the
CLI uses for it.

    UserError                 anything the user can act on
      InputError              bad input or options (exit 2)
      ServiceError            the model service failed (exit 3)
        FatalServiceError     ... in a way every further request would meet too
        NotSent               a batch request held back after a fatal failure
      GroundingFailed         on_problems="fail" and problems remain (exit 1); `.document`
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from summarizer.contract.models import SummaryDocument

EXIT_OK = 0
EXIT_PROBLEMS = 1  # the grounding report has problems (or an article of a batch failed)
EXIT_BAD_INPUT = 2  # unreadable file, JSON that does not fit the contract, bad options
EXIT_SERVICE = 3  # the model service failed: key, quota, refusal, cut-off, outage
EXIT_INTERNAL = 70  # a bug in the tool (sysexits' EX_SOFTWARE); the line says what it was
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it

#: Problem keys named in a GroundingFailed message (the document lists them all).
MAX_KEYS_IN_MESSAGE: int = 8


class UserError(Exception):
    """Something the user can fix; shown as one line, never as a traceback."""

    exit_code: int = EXIT_BAD_INPUT


class InputError(UserError):
    """Bad input: an unreadable or empty article, JSON that breaks the contract, a bad
    option or setting, no API key."""

    exit_code = EXIT_BAD_INPUT


class ServiceError(UserError):
    """The model service failed: key rejected, quota, refusal, cut-off answer, outage."""

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


class GroundingFailed(UserError):
    """`on_problems="fail"` and problems remain; the document is attached, not lost."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, document: SummaryDocument) -> None:
        bad = [k for k, r in document.grounding.items.items() if r.problems]
        shown = ", ".join(bad[:MAX_KEYS_IN_MESSAGE])
        more = " ..." if len(bad) > MAX_KEYS_IN_MESSAGE else ""
        super().__init__(f"{len(bad)} item(s) still have problems after repair: {shown}{more}")
        self.document = document


def describe_validation_error(error: object, source: str) -> str:
    """One line naming the first field of a pydantic ValidationError that is wrong."""
    errors = error.errors()  # type: ignore[attr-defined]
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{source}: field {where}: {first['msg']}{more}; it must follow contract v1"
