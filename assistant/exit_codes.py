"""Exit codes of the `lam` command — a contract scripts rely on (documented in README.md)."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode"]


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1
    """A bug in lam: please report it with the traceback from LAM_DEBUG=1."""
    BAD_INPUT = 2
    """Bad flags, a malformed file, an unknown name: nothing ran."""
    PLANNING_FAILED = 3
    """No plan could be made (no action fits, the model failed): nothing ran."""
    VERIFICATION_FAILED = 4
    """The plan broke a rule the verifier checks, even after repairs: nothing ran."""
    NEEDS_CONFIRMATION = 5
    """The plan needs confirmation and --yes was not given: nothing ran."""
    EXECUTION_FAILED = 6
    """A step failed while running; the report says what ran and what did not."""
    NEEDS_ANSWER = 7
    """The request was ambiguous: lam asked a question instead of guessing. Nothing ran."""
    MODEL_UNAVAILABLE = 8
    """The model file is missing, corrupt or does not fit in memory: nothing ran."""
