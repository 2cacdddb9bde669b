"""External tools: OpenAI-style function schemas read from a file (`lam plan --tools`) or
declared by an MCP server (`tool_spec`).

`read_tools` keeps every schema feature (nested objects, arrays of objects, enums,
``anyOf``/nullable, defaults, ``$ref``) and accepts any tool name an API uses, dots included:
each tool gets a *wire name* (``geometry.circumference`` -> ``geometry_circumference``) that the
grammar uses, mapped back to the real name in the output. `tool_spec` turns one tool into an
action spec for the registry (the MCP path)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
from pydantic import BaseModel, ConfigDict, Field, model_validator

from actions.errors import UserInputError
from actions.plan import ActionResult
from actions.spec import ActionSpec

__all__ = ["Tool", "load_tools", "read_tools", "tool_spec", "wire_names"]

_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""Names an action in the registry may have (the MCP path)."""
_API_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,127}$")
"""Names a `--tools` file may use: letters, digits, ``_ . : / -``, at most 128."""
_WIRE_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class Tool(BaseModel):
    """One function the model may call. ``wire`` is the name the model writes."""

    model_config = ConfigDict(frozen=True)

    name: str
    wire: str
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object",
                                                                  "properties": {}})

    def check(self, arguments: Any) -> str | None:
        """None when ``arguments`` satisfy the parameters schema, else the first reason."""
        validator = jsonschema.Draft202012Validator(self.parameters)
        errors = sorted(validator.iter_errors(arguments), key=lambda e: list(e.absolute_path))
        if not errors:
            return None
        where = "/".join(str(p) for p in errors[0].absolute_path)
        return f"{self.name}{'.' + where if where else ''}: {errors[0].message}"


def _check_schema(schema: Any, where: str) -> dict[str, Any]:
    if not isinstance(schema, dict):
        raise UserInputError(f"{where}: 'parameters' must be a JSON object (a JSON schema)")
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        path = "/".join(str(p) for p in exc.path)
        raise UserInputError(f"{where}: 'parameters' is not a valid JSON schema: "
                             f"{exc.message}" + (f" (at {path})" if path else "")) from exc
    if schema.get("type", "object") != "object":
        raise UserInputError(f"{where}: 'parameters' must have \"type\": \"object\"",
                             hint='wrap single values: {"type": "object", "properties": '
                                  '{"value": ...}}')
    return schema


def _spec_for(tool: dict[str, Any], where: str) -> ActionSpec:
    schema = dict(tool.get("parameters") or {"type": "object", "properties": {}})
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise UserInputError(f"{where}: 'parameters' is not a valid JSON schema: "
                             f"{exc.message}") from exc
    validator = jsonschema.Draft202012Validator(schema)

    class ToolParams(BaseModel):
        model_config = ConfigDict(extra="allow")

        @model_validator(mode="before")
        @classmethod
        def _check(cls, data: Any) -> Any:
            errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
            if errors:
                raise ValueError(errors[0].message)
            return data

        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            return json.loads(json.dumps(schema))

    ToolParams.__doc__ = str(tool.get("description", ""))
    name = str(tool["name"])
    if not _TOOL_NAME.match(name):
        raise UserInputError(f"{where}: a tool name is 1-64 letters, digits, '_' or '-'")
    return ActionSpec(name=name, params=ToolParams, handler=lambda ctx, p: ActionResult(),
                      description=str(tool.get("description") or name), plugin="tools")


def tool_spec(tool: dict[str, Any], where: str) -> ActionSpec:
    """An action spec for one ``{name, description, parameters}`` tool (MCP tools too)."""
    return _spec_for(tool, where)


def wire_names(names: list[str]) -> dict[str, str]:
    """Real name -> a name the grammar and the model use (``[A-Za-z0-9_-]``), distinct for
    distinct names: ``.`` and other characters become ``_``; a clash gets ``_2``, ``_3``."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in names:
        base = _WIRE_UNSAFE.sub("_", name)[:64]
        wire, n = base, 1
        while wire in taken:
            n += 1
            wire = f"{base[:60]}_{n}"
        taken.add(wire)
        out[name] = wire
    return out


def _unwrap(item: Any) -> Any:
    if isinstance(item, dict) and item.get("type") == "function" and "function" in item:
        return item["function"]
    return item


def _item_lines(text: str) -> list[int]:
    """The line (1-based) where each top-level item of a JSON list starts."""
    decoder = json.JSONDecoder()
    pos = text.find("[") + 1
    lines: list[int] = []
    while 0 < pos < len(text):
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            break
        lines.append(text.count("\n", 0, pos) + 1)
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            break
    return lines


def read_tools(path: str) -> list[Tool]:
    """The tools of a JSON file: a list (or ``{"tools": [...]}``) of ``{name, description,
    parameters}`` objects, or of OpenAI's ``{"type": "function", "function": {...}}``.
    ``input_schema`` / ``inputSchema`` (Anthropic, MCP) are read as ``parameters``.
    Raises `UserInputError` naming the file, line and tool for anything unusable."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserInputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    lines = _item_lines(text) if isinstance(data, list) else []
    if isinstance(data, dict) and "tools" in data:
        data = data["tools"]
    if not isinstance(data, list):
        raise UserInputError(f"{path}: expected a JSON list of {{name, description, "
                             "parameters}} objects")
    raw: list[dict[str, Any]] = []
    for i, item in enumerate(data):
        tool = _unwrap(item)
        at = f"{path}:{lines[i]}" if i < len(lines) else path
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            raise UserInputError(f"{at}: item {i} needs a string 'name'")
        name = tool["name"]
        if not _API_NAME.match(name):
            raise UserInputError(f"{at}: tool {name!r}: a tool name is 1-128 letters, digits, "
                                 "'_', '.', ':', '/' or '-', not starting with a punctuation")
        if any(t["name"] == name for t in raw):
            raise UserInputError(f"{at}: tool '{name}' is declared twice")
        params = next((tool[k] for k in ("parameters", "input_schema", "inputSchema")
                       if k in tool), None)
        tool = {**tool, "parameters": _check_schema(
            params if params is not None else {"type": "object", "properties": {}},
            f"{at}: tool '{name}'"), "at": at}
        raw.append(tool)
    wires = wire_names([t["name"] for t in raw])
    return [Tool(name=t["name"], wire=wires[t["name"]],
                 description=str(t.get("description") or ""), parameters=t["parameters"])
            for t in raw]


def load_tools(path: str) -> list[ActionSpec]:
    """The tools of a file as action specs (names must also be valid action names)."""
    return [_spec_for({"name": t.name, "description": t.description,
                       "parameters": t.parameters}, f"{path}: tool '{t.name}'")
            for t in read_tools(path)]
