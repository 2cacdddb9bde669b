"""Options shared by the headless commands: --now, --tz, --browser-cdp, --json."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import click

from actions.errors import UserInputError

__all__ = ["headless_options", "parse_now", "read_request"]

F = TypeVar("F", bound=Callable[..., Any])


def parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise UserInputError(f"--now {value!r} is not an ISO date-time",
                             hint="for example --now 2026-11-24T10:15:00+01:00") from exc


def read_request(words: tuple[str, ...]) -> str:
    """The request from the arguments, or from stdin when none (or '-') is given."""
    text = " ".join(words).strip()
    if not text or text == "-":
        text = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read().strip()
    if not text:
        raise UserInputError("no request given", hint='lam do "remind me to stretch in 1 hour"'
                                                      " (or pipe the request on stdin)")
    return text


def headless_options(fn: F) -> F:
    options: list[Callable[[F], F]] = [
        click.option("--json", "as_json", is_flag=True, help="Machine-readable output."),
        click.option("--now", help="Fix the clock (ISO date-time), e.g. 2026-11-24T10:15."),
        click.option("--tz", help="Time zone (IANA name), e.g. Europe/Berlin."),
        click.option("--browser-cdp", help="Attach the browser plugin to a running Chromium "
                                           "(CDP URL, e.g. http://127.0.0.1:9222)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn
