"""Config problems worded ``FILE:LINE: key: problem — fix``, with LINE the key's own line.

tomllib gives no positions, so `key_lines` finds them: a small scan of the TOML text for table
headers and ``key =`` lines, keyed by the full dotted path (``("plugins", "browser", "headless")``).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from actions.errors import ConfigError

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

__all__ = ["ConfigProblem", "ConfigProblems", "KeyLines", "Place", "key_lines", "line_of",
           "validation_problems"]

KeyLines = dict[tuple[str, ...], int]
"""Dotted key path (a table header's path, or a table's path plus the key) -> line (1-based)."""
Place = tuple[str, int | None]
"""(file, line) where a key was set."""

_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_SPLIT = re.compile(rf"\s*({_PART})\s*(?:\.|$)")


def _parts(dotted: str) -> tuple[str, ...]:
    parts = []
    for m in _SPLIT.finditer(dotted):
        part = m.group(1)
        parts.append(part[1:-1] if part[0] in "\"'" else part)
    return tuple(parts)


def key_lines(text: str) -> KeyLines:
    """The line of every table header and every ``key =`` in a TOML text (first one wins);
    lines inside multi-line strings are skipped."""
    found: KeyLines = {}
    table: tuple[str, ...] = ()
    open_quote: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if open_quote is not None:
            if line.count(open_quote) % 2 == 1:
                open_quote = None
            continue
        header = _HEADER.match(line)
        if header:
            table = _parts(header.group(1))
            found.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            found.setdefault(table + _parts(key.group(1)), number)
            rest = line[key.end():]
            open_quote = next((q for q in ('"""', "'''") if rest.count(q) % 2 == 1), None)
    return found


def line_of(lines: KeyLines, path: Sequence[str]) -> int | None:
    """The line of ``path``, else of its longest prefix found (a nested value's key, its table)."""
    for end in range(len(path), 0, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return None


class ConfigProblem(BaseModel):
    """One problem in a config file: where, which key, what is wrong, what to do."""

    path: str
    line: int | None = None
    key: str = ""
    """As the user sees it: ``[lam] timezone``, ``[plugins.messaging] smtp_port``."""
    problem: str
    fix: str = ""

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line is not None else "")
        text = f"{where}: {self.key}: {self.problem}" if self.key else f"{where}: {self.problem}"
        return text + (f" — {self.fix}" if self.fix else "")


class ConfigProblems(ConfigError):
    """Every problem found in the config files, one ``FILE:LINE: key: problem — fix`` line each."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        lines = [str(p) for p in problems]
        message = lines[0] if len(lines) == 1 else (
            f"{len(lines)} problems in the configuration:\n" + "\n".join(lines))
        super().__init__(message)
        self.problems = list(problems)
        self.path = problems[0].path if problems else None
        self.line = problems[0].line if problems else None


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


def _problem(err: ErrorDetails) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "missing":
        return "required key is missing"
    return re.sub(r"^(Value|Assertion) error, ", "", err["msg"])


def _fix(model: type[BaseModel], table: str, key: str, err: ErrorDetails) -> str:
    fields = model.model_fields
    if err["type"] == "extra_forbidden":
        close = difflib.get_close_matches(key, list(fields), n=1)
        if close:
            return f"did you mean {close[0]}?"
        return f"remove it ([{table}] takes {', '.join(fields)})"
    field = fields.get(key)
    if field is None:
        return f"see the shipped plugins.toml for [{table}]"
    extra = field.json_schema_extra
    if isinstance(extra, dict) and isinstance(extra.get("fix"), str):
        return str(extra["fix"])
    if field.is_required():
        return f"add {key} = ... under [{table}]"
    return f"e.g. {key} = {_toml(field.get_default(call_default_factory=True))} (the default)"


def validation_problems(exc: ValidationError, *, table: str, model: type[BaseModel],
                        locate: Callable[[str], Place]) -> list[ConfigProblem]:
    """One problem per validation error of ``[table]``; ``locate(key)`` says where the key was
    set (the table header for a missing key)."""
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        top = loc[0] if loc else ""
        path, line = locate(top)
        problems.append(ConfigProblem(
            path=path, line=line, key=f"[{table}] {'.'.join(loc)}" if loc else f"[{table}]",
            problem=_problem(err), fix=_fix(model, table, top, err)))
    return problems
