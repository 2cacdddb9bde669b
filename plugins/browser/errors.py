"""The one exception the browser code raises on purpose: an action that could not be done."""

from __future__ import annotations

__all__ = ["BrowserFailure", "first_line"]


class BrowserFailure(Exception):
    """An action could not be done; the message is what the user reads."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's text (Playwright appends long call logs)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
