"""Declaring an action once — from a typed function or a pydantic model — and deriving
everything else from that declaration (schema, grammar, validation, rendering, docs)."""

from __future__ import annotations

import copy
import inspect
import re
import typing
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, create_model

from actions.context import ActionContext
from actions.effects import Effect
from actions.errors import ActionDeclarationError
from actions.plan import ActionResult, Step
from actions.types import entity_type_of, is_sensitive
from actions.violations import Violation, ViolationReason

__all__ = ["ActionSpec", "Condition", "action", "collect_actions"]

ConditionCheck = Callable[[ActionContext, BaseModel], "str | None"]
PostCheck = Callable[[ActionContext, BaseModel, ActionResult], "str | None"]
Inverse = Callable[[BaseModel, ActionResult], "Step | None"]

_ACTION_NAME = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
_MARK = "__lam_action__"


class Condition(BaseModel):
    """A named pre- or postcondition; ``check`` returns None when it holds, else why not."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    check: Callable[..., Any]
    description: str = ""
    about: str = ""
    """The argument whose thing's state this checks ("job": the job must be active). When it
    fails, the plan misread the request, and another action on that thing may fit."""
    asks: bool = False
    """A precondition that asks instead of refusing: when it fails, the verifier's violation
    needs the user's confirmation (its message is shown), and the executor, which runs after
    confirmation, does not check it again (e.g. a file written outside the plugin's folder)."""


class ActionSpec(BaseModel):
    """Everything lam knows about one action, derived from one declaration."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    description: str
    params: type[BaseModel]
    handler: Callable[[ActionContext, BaseModel], ActionResult]
    effect: Effect = Effect.READ_ONLY
    preconditions: list[Condition] = Field(default_factory=list)
    postconditions: list[Condition] = Field(default_factory=list)
    inverse: Callable[..., Any] | None = None
    consumes: list[str] = Field(default_factory=list)
    produces: list[str] = Field(default_factory=list)
    templates: list[str] = Field(default_factory=list)
    prompt_example: int | None = None
    """Where this action's first template stands among its plugin's worked examples in the
    model's system prompt (0 first); None: after the pinned ones, by template count. Pinning
    keeps the prompt, and so the planner, unchanged when templates are added."""
    plugin: str = ""
    _schema: dict[str, Any] | None = PrivateAttr(default=None)

    # -- derived -------------------------------------------------------------------------
    def parameters_schema(self) -> dict[str, Any]:
        """JSON schema of the parameters (inlined, no $defs), as tools are described. Made
        once per spec (pydantic takes about half a millisecond; the planner asks hundreds of
        times per request); each caller gets its own copy."""
        if self._schema is None:
            schema = self.params.model_json_schema()
            schema.pop("title", None)
            for prop in schema.get("properties", {}).values():
                prop.pop("title", None)
            self._schema = schema
        return copy.deepcopy(self._schema)

    def tool_schema(self) -> dict[str, Any]:
        """OpenAI-style function description."""
        return {"name": self.name, "description": self.description,
                "parameters": self.parameters_schema()}

    def entity_params(self) -> dict[str, str]:
        """Parameter name -> entity type it refers to."""
        props = self.parameters_schema().get("properties", {})
        return {k: t for k, v in props.items() if (t := entity_type_of(v))}

    def sensitive_params(self) -> set[str]:
        props = self.parameters_schema().get("properties", {})
        return {k for k, v in props.items() if is_sensitive(v)}

    def validate_args(self, args: dict[str, Any]) -> tuple[BaseModel | None, list[Violation]]:
        try:
            return self.params.model_validate(args), []
        except ValidationError as exc:
            return None, [
                Violation(reason=ViolationReason.SCHEMA,
                          param=".".join(str(p) for p in err["loc"]) or None,
                          message=err["msg"])
                for err in exc.errors()
            ]

    def check_preconditions(self, ctx: ActionContext, params: BaseModel, *,
                            asking: bool = False) -> list[Violation]:
        """Violated preconditions; ``asking`` also checks those that ask (`Condition.asks`),
        as violations that need confirmation (the verifier does, the executor does not)."""
        out = []
        for cond in self.preconditions:
            if cond.asks and not asking:
                continue
            why = cond.check(ctx, params)
            if why:
                out.append(Violation(reason=ViolationReason.PRECONDITION,
                                     message=f"{cond.name}: {why}", param=cond.about or None,
                                     needs_confirmation=cond.asks))
        return out

    def check_postconditions(self, ctx: ActionContext, params: BaseModel,
                             result: ActionResult) -> list[Violation]:
        out = []
        for cond in self.postconditions:
            why = cond.check(ctx, params, result)
            if why:
                out.append(Violation(reason=ViolationReason.POSTCONDITION,
                                     message=f"{cond.name}: {why}"))
        return out

    def undo_step(self, params: BaseModel, result: ActionResult) -> Step | None:
        return self.inverse(params, result) if self.inverse else None

    def run(self, ctx: ActionContext, params: BaseModel) -> ActionResult:
        return self.handler(ctx, params)

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def from_function(cls, fn: Callable[..., ActionResult], **meta: Any) -> ActionSpec:
        """Build a spec from ``fn(ctx, param: type = default, ...) -> ActionResult``.

        The docstring's first paragraph is the description; an ``Args:`` section gives
        parameter descriptions.
        """
        name = meta.pop("name", None) or fn.__name__
        if not _ACTION_NAME.match(name):
            raise ActionDeclarationError(
                f"action name {name!r} must be lower_snake_case, 2-48 characters")
        doc = inspect.getdoc(fn) or ""
        description = meta.pop("description", None) or " ".join(doc.split("\n\n")[0].split())
        if not description:
            raise ActionDeclarationError(f"action {name!r} needs a docstring or description")
        arg_docs = _parse_arg_docs(doc)
        sig = inspect.signature(fn)
        hints = typing.get_type_hints(fn, include_extras=True)
        params = list(sig.parameters.values())
        if not params:
            raise ActionDeclarationError(f"action {name!r}: first parameter must be the context")
        fields: dict[str, Any] = {}
        for p in params[1:]:
            if p.name not in hints:
                raise ActionDeclarationError(f"action {name!r}: parameter {p.name!r} needs a type")
            default = ... if p.default is inspect.Parameter.empty else p.default
            fields[p.name] = (hints[p.name], Field(default, description=arg_docs.get(p.name)))
        model = create_model(  # type: ignore[call-overload]
            _camel(name) + "Params", __config__=ConfigDict(extra="forbid"), **fields)
        field_names = list(fields)

        def handler(ctx: ActionContext, values: BaseModel) -> ActionResult:
            return fn(ctx, **{k: getattr(values, k) for k in field_names})

        return cls(name=name, description=description, params=model, handler=handler, **meta)

    @classmethod
    def from_model(cls, name: str, params: type[BaseModel],
                   handler: Callable[[ActionContext, BaseModel], ActionResult],
                   **meta: Any) -> ActionSpec:
        """Build a spec from a pydantic parameter model; its docstring is the description."""
        description = meta.pop("description", None) or (inspect.getdoc(params) or "").strip()
        if not _ACTION_NAME.match(name):
            raise ActionDeclarationError(f"action name {name!r} must be lower_snake_case")
        return cls(name=name, description=description, params=params, handler=handler, **meta)


def action(
    *,
    effect: Effect = Effect.READ_ONLY,
    name: str | None = None,
    templates: Sequence[str] = (),
    preconditions: Sequence[Condition] = (),
    postconditions: Sequence[Condition] = (),
    inverse: Inverse | None = None,
    consumes: Sequence[str] = (),
    produces: Sequence[str] = (),
    prompt_example: int | None = None,
) -> Callable[[Callable[..., ActionResult]], Callable[..., ActionResult]]:
    """Mark a function or plugin method as an action. Collect with `collect_actions`."""

    def mark(fn: Callable[..., ActionResult]) -> Callable[..., ActionResult]:
        setattr(fn, _MARK, {
            "effect": effect, "name": name, "templates": list(templates),
            "preconditions": list(preconditions), "postconditions": list(postconditions),
            "inverse": inverse, "consumes": list(consumes), "produces": list(produces),
            "prompt_example": prompt_example,
        })
        return fn

    return mark


def collect_actions(obj: Any) -> list[ActionSpec]:
    """Specs for every `@action`-marked function of a module or bound method of an object."""
    specs = []
    for attr in dir(obj):
        if attr.startswith("__"):
            continue
        member = getattr(obj, attr, None)
        meta = getattr(member, _MARK, None)
        if meta is not None and callable(member):
            specs.append(ActionSpec.from_function(member, **dict(meta)))
    return specs


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _parse_arg_docs(doc: str) -> dict[str, str]:
    out: dict[str, str] = {}
    in_args = False
    current = None
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped in ("Args:", "Arguments:", "Parameters:"):
            in_args = True
            continue
        if not in_args:
            continue
        if not stripped:
            current = None
            continue
        m = re.match(r"^(\w+)\s*(\([^)]*\))?:\s*(.*)$", stripped)
        if m:
            current = m.group(1)
            out[current] = m.group(3).strip()
        elif current:
            out[current] += " " + stripped
        else:
            in_args = False
    return out
