"""Planning over any tools: OpenAI-style function schemas become action specs, so the same
cascade, grammar and normalization (``format: date-time | email | uri``) apply."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
from pydantic import BaseModel, ConfigDict, model_validator

from actions.errors import UserInputError
from actions.plan import ActionResult, is_step_ref
from actions.spec import ActionSpec
from assistant.planner.cascade import Proposal
from assistant.runtime import Runtime

__all__ = ["load_tools", "plan_with_tools", "tool_spec"]

_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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


def load_tools(path: str) -> list[ActionSpec]:
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserInputError(f"{path}: cannot read: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise UserInputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    if isinstance(data, dict) and "tools" in data:
        data = data["tools"]
    if not isinstance(data, list):
        raise UserInputError(f"{path}: expected a JSON list of {{name, description, "
                             "parameters}} objects")
    specs = []
    for i, tool in enumerate(data):
        if isinstance(tool, dict) and tool.get("type") == "function" and "function" in tool:
            tool = tool["function"]
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            raise UserInputError(f"{path}: item {i} needs a string 'name'")
        try:
            specs.append(_spec_for(tool, f"{path}: tool '{tool['name']}'"))
        except UserInputError:
            raise
        except Exception as exc:
            raise UserInputError(f"{path}: tool '{tool['name']}': {exc}") from exc
    return specs


def plan_with_tools(runtime: Runtime, request: str, tools_file: str,
                    ) -> tuple[list[dict[str, Any]], Proposal]:
    from assistant.session import Session

    for spec in load_tools(tools_file):
        if spec.name in runtime.registry:
            raise UserInputError(f"{tools_file}: tool '{spec.name}' is declared twice")
        runtime.registry.add(spec)
    session = Session(runtime)
    proposal = session.propose(request)
    if not proposal.runnable:
        return [], proposal
    calls: list[dict[str, Any]] = []
    for step in proposal.plan.steps:
        arguments = {k: ({"$step": v["$step"]} if is_step_ref(v) else v)
                     for k, v in step.args.items()}
        calls.append({"name": step.action, "arguments": arguments})
    return calls, proposal
