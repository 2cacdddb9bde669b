"""Automations as files: a named TOML file with variables and steps, each step a request in
words or an explicit action call, validated (file, line, what is wrong) before anything runs.

    name = "morning"
    [vars]
    person = "Alice"
    [[steps]]
    request = "remind me to call {person} tomorrow at 9"
    [[steps]]
    action = "open_url"
    args = { url = "https://news.example/" }
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from actions.errors import ConfigError, UserInputError
from actions.plan import Step, ValueSource
from actions.types import format_of
from assistant.normalize import (
    AmbiguousTime,
    RecurrenceRule,
    TimeParseError,
    TimeParseReason,
    parse_recurrence,
    parse_when,
)
from assistant.registry import ActionRegistry

__all__ = ["Automation", "AutomationStep", "check_saved_name", "load_automation"]

_VAR = re.compile(r"\{(\w+)\}")
_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")
_SAVED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def check_saved_name(name: str) -> str:
    """A saved automation's name: letters, digits, '-', '_' and '.', not ending in .toml (that
    is how `lam run` tells a file from a saved name). Raises `UserInputError` otherwise."""
    if not _SAVED_NAME.fullmatch(name):
        bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c in "_.-"))})
        what = (f"has {', '.join(repr(c) for c in bad)}" if bad else
                "must start with a letter or digit and be at most 64 characters")
        raise UserInputError(f"saved name {name!r} {what}",
                             hint="use letters, digits, '-', '_' and '.', e.g. "
                                  "morning-news")
    if name.lower().endswith(".toml"):
        raise UserInputError(f"saved name {name!r} ends in .toml: `lam run {name}` would look "
                             "for a file of that name",
                             hint=f"save it as {name[:-5]!r} instead")
    return name


class StepArgError(ValueError):
    """An explicit step's argument that cannot be normalized (its name and why)."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


class AutomationStep(BaseModel):
    request: str | None = None
    action: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    line: int | None = None


class Automation(BaseModel):
    name: str
    description: str = ""
    vars: dict[str, str] = Field(default_factory=dict)
    steps: list[AutomationStep]
    path: str = ""

    def with_vars(self, overrides: dict[str, str]) -> Automation:
        return self.model_copy(update={"vars": {**self.vars, **overrides}})

    def expand(self, text: str) -> str:
        return _VAR.sub(lambda m: self.vars.get(m.group(1), m.group(0)), text)

    def explicit_step(self, step: AutomationStep, registry: ActionRegistry,
                      now: datetime | None = None, tz: ZoneInfo | None = None) -> Step:
        """The step as an action call, its times in words normalized like a planned step's
        (the words kept in ``sources``, so a stored copy is resolved again when it runs).
        Raises `StepArgError` for a time it cannot read."""
        assert step.action is not None
        args = {k: self.expand(v) if isinstance(v, str) else v for k, v in step.args.items()}
        spec = registry.get(step.action)
        if spec is None or now is None or tz is None:
            return Step(action=step.action, args=args)
        props: dict[str, Any] = spec.parameters_schema().get("properties", {})
        sources: dict[str, ValueSource] = {}
        for name, value in list(args.items()):
            fmt = format_of(props.get(name, {}))
            if not isinstance(value, str) or fmt not in ("date-time", "x-recurrence"):
                continue
            if fmt == "date-time":
                when = parse_when(value, now, tz)
                if isinstance(when, AmbiguousTime):
                    raise StepArgError(name, f"{value!r} is ambiguous: {when.message}")
                if isinstance(when, TimeParseError) and when.reason is TimeParseReason.IN_PAST:
                    continue  # the verifier says so (time_in_past), with the file's line
                if not isinstance(when, datetime):
                    raise StepArgError(name, f"{value!r} is not a time lam can read: "
                                             f"{when.message}")
                args[name] = when.isoformat()
            else:
                rule = parse_recurrence(value, now, tz)
                if not isinstance(rule, RecurrenceRule):
                    raise StepArgError(name, f"{value!r} is not a recurrence lam can read: "
                                             f"{rule.message}")
                args[name] = str(rule)
            sources[name] = ValueSource(kind="normalized", text=value)
        return Step(action=step.action, args=args, sources=sources)


def _lines_of(text: str, header: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == header]


def load_automation(path: str | Path, registry: ActionRegistry,
                    overrides: dict[str, str] | None = None, *, now: datetime | None = None,
                    tz: ZoneInfo | None = None) -> Automation:
    """Read and validate an automation file; raise `ConfigError` with file and line (and
    `UserInputError` for an override of a variable the file does not declare). With ``now``
    and ``tz``, explicit steps' times in words are checked too."""
    file = Path(path)
    where = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=where) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_POS.search(str(exc))
        raise ConfigError("malformed TOML: " + _TOML_POS.sub("", str(exc)).strip(), path=where,
                          line=int(m.group(1)) if m else None,
                          column=int(m.group(2)) if m else None) from exc
    unknown = set(data) - {"name", "description", "vars", "steps"}
    if unknown:
        key = sorted(unknown)[0]
        line = next((n for n, ln in enumerate(text.splitlines(), 1)
                     if ln.strip().startswith((key, f"[{key}"))), None)
        raise ConfigError(f"unknown key '{key}' (expected name, description, vars, steps)",
                          path=where, line=line)
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise ConfigError("missing 'name = \"...\"'", path=where, line=1)
    vars_ = data.get("vars", {})
    if not isinstance(vars_, dict) or not all(isinstance(v, str) for v in vars_.values()):
        raise ConfigError("[vars] must map names to strings", path=where,
                          line=next(iter(_lines_of(text, "[vars]")), None))
    raw_steps = data.get("steps")
    step_lines = _lines_of(text, "[[steps]]")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ConfigError("no [[steps]]: an automation needs at least one step", path=where)
    used = {v for raw in raw_steps if isinstance(raw, dict)
            for t in [raw.get("request"),
                      *(raw["args"].values() if isinstance(raw.get("args"), dict) else ())]
            if isinstance(t, str) for v in _VAR.findall(t)}
    declared = sorted(set(vars_) | used)
    unknown_vars = sorted(set(overrides or {}) - set(declared))
    if unknown_vars:
        raise UserInputError(f"--var {unknown_vars[0]}: {where} declares no variable "
                             f"{unknown_vars[0]!r} (it declares: "
                             f"{', '.join(declared) or 'none'})",
                             hint="check the spelling, or add it under [vars]")
    automation = Automation(name=data["name"], description=str(data.get("description", "")),
                            vars={**vars_, **(overrides or {})}, steps=[], path=where)
    for i, raw in enumerate(raw_steps):
        line = step_lines[i] if i < len(step_lines) else None
        label = f"step {i + 1}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{label} must be a table", path=where, line=line)
        extra = set(raw) - {"request", "action", "args"}
        if extra:
            raise ConfigError(f"{label}: unknown key '{sorted(extra)[0]}' (use request, or "
                              "action with args)", path=where, line=line)
        has_request, has_action = "request" in raw, "action" in raw
        if has_request == has_action:
            raise ConfigError(f"{label}: give either request = \"...\" or action = \"...\"",
                              path=where, line=line)
        if not isinstance(raw.get("args", {}), dict):
            raise ConfigError(f"{label}: args must be a table, e.g. args = {{ url = \"...\" }}",
                              path=where, line=line)
        for key in ("request", "action"):
            if key in raw and not isinstance(raw[key], str):
                raise ConfigError(f"{label}: {key} must be a string", path=where, line=line)
        step = AutomationStep(request=raw.get("request"), action=raw.get("action"),
                              args=raw.get("args", {}), line=line)
        texts = [step.request or ""] + [v for v in step.args.values() if isinstance(v, str)]
        for t in texts:
            for var in _VAR.findall(t):
                if var not in automation.vars:
                    raise ConfigError(f"{label}: variable '{{{var}}}' is not defined in [vars]",
                                      path=where, line=line,
                                      hint=f"add {var} = \"...\" under [vars], or pass "
                                           f"--var {var}=...")
        if step.action is not None:
            spec = registry.get(step.action)
            if spec is None:
                raise ConfigError(f"{label}: no action named '{step.action}' is loaded",
                                  path=where, line=line,
                                  hint="see `lam actions list` for the available actions")
            try:
                explicit = automation.explicit_step(step, registry, now, tz)
            except StepArgError as exc:
                raise ConfigError(f"{label}: {step.action} argument '{exc.param}': {exc}",
                                  path=where, line=line,
                                  hint="write a time as you would say it (\"tomorrow at 9\", "
                                       "\"in 5 minutes\") or as ISO-8601") from exc
            # Entity ids are checked later by the verifier, against what is then in scope.
            if not spec.entity_params():
                _params, violations = spec.validate_args(explicit.args)
                if violations:
                    v = violations[0]
                    raise ConfigError(f"{label}: {step.action} argument '{v.param}': "
                                      f"{v.message}", path=where, line=line)
        automation.steps.append(step)
    return automation
