"""One place that turns errors into messages and exit codes."""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Iterator

import click

from assistant.exit_codes import ExitCode

__all__ = ["exit_code_for", "render_errors"]


def exit_code_for(exc: BaseException) -> ExitCode:
    from actions.errors import LamError, UserInputError

    code = getattr(exc, "exit_code", None)
    if isinstance(code, int) and not isinstance(exc, click.ClickException):
        return ExitCode(code)
    if isinstance(exc, UserInputError):
        return ExitCode.BAD_INPUT
    if type(exc).__module__.startswith("models"):
        return ExitCode.MODEL_UNAVAILABLE
    if isinstance(exc, LamError):
        return ExitCode.BAD_INPUT
    return ExitCode.INTERNAL


@contextlib.contextmanager
def render_errors(debug: bool = False) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        if isinstance(exc, click.exceptions.Exit | click.ClickException | click.Abort):
            raise
        from actions.errors import LamError

        is_ours = isinstance(exc, LamError) or type(exc).__module__.startswith("models")
        if debug or not is_ours:
            traceback.print_exc()
        if is_ours:
            click.echo(f"error: {exc}", err=True)
        else:
            click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                       "  this is a bug in lam; run again with LAM_DEBUG=1 and report it",
                       err=True)
        sys.exit(int(exit_code_for(exc)))
