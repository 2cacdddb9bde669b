"""The symbolic verifier: a plan either passes, or gets typed violations with reasons.
No side effect happens before it says yes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from actions.context import ActionContext
from actions.effects import Effect
from actions.entities import Entity
from actions.plan import ACTION_SOURCE, MODEL_WORDING, Plan, PlanKind, is_step_ref
from actions.spec import ActionSpec
from actions.types import format_of
from actions.violations import Violation, ViolationReason
from assistant.context import EMAIL_RE, entity_param_violation
from assistant.registry import ActionRegistry

__all__ = ["EMAIL_RE", "UNSAID", "UrlPolicy", "Verifier", "blocking", "unsaid"]

UrlPolicy = Callable[[str], "str | None"]
"""Returns None when a URL may be used, else the reason it may not."""

STEP_REF_PLACEHOLDER = {"string": "x", "integer": 0, "number": 0, "boolean": False}


class Verifier:
    def __init__(self, registry: ActionRegistry, *, max_steps: int = 6,
                 url_policies: list[UrlPolicy] | None = None) -> None:
        self.registry = registry
        self.max_steps = max_steps
        self.url_policies = url_policies or []

    def verify(self, plan: Plan, entities: Mapping[str, Entity], now: datetime,
               ctx: ActionContext | None = None) -> list[Violation]:
        if plan.kind is not PlanKind.ACTIONS:
            return []
        out: list[Violation] = []
        if len(plan.steps) > self.max_steps:
            out.append(Violation(reason=ViolationReason.TOO_MANY_STEPS,
                                 message=f"{len(plan.steps)} steps; at most {self.max_steps}"))
        ctx = ctx or ActionContext(clock=lambda: now, entities=entities)
        for i, _step in enumerate(plan.steps):
            out.extend(v.model_copy(update={"step": i}) for v in
                       self._verify_step(plan, i, entities, now, ctx))
        return out

    def _verify_step(self, plan: Plan, i: int, entities: Mapping[str, Entity], now: datetime,
                     ctx: ActionContext) -> list[Violation]:
        step = plan.steps[i]
        spec = self.registry.get(step.action)
        if spec is None:
            return [Violation(reason=ViolationReason.UNKNOWN_ACTION,
                              message=f"no action named '{step.action}' is loaded")]
        out: list[Violation] = []
        props: dict[str, Any] = spec.parameters_schema().get("properties", {})
        probe: dict[str, Any] = {}
        for name, value in step.args.items():
            if is_step_ref(value):
                ref = value.get("$step")
                if not isinstance(ref, int) or ref < 0 or ref >= i:
                    out.append(Violation(reason=ViolationReason.DANGLING_STEP_REF, param=name,
                                         message=f"refers to step {ref}, which does not run "
                                                 "before this one"))
                kind = props.get(name, {}).get("type", "string")
                probe[name] = STEP_REF_PLACEHOLDER.get(kind, "x")
            else:
                probe[name] = value
        params, schema_violations = spec.validate_args(probe)
        # A step reference's value exists only at run time (the executor validates it then).
        out.extend(v for v in schema_violations if not is_step_ref(step.args.get(v.param or "")))
        for name in spec.entity_params():
            value = step.args.get(name)
            if value is None or is_step_ref(value):
                continue
            problem = entity_param_violation(name, props.get(name, {}), value, entities)
            if problem is not None:  # the executor applies the same rule right before the step
                out.append(problem)
        for name, prop in props.items():
            value = step.args.get(name)
            if value is None or is_step_ref(value):
                continue
            fmt = format_of(prop)
            if fmt == "date-time":
                out.extend(self._check_time(name, value, now))
            if fmt == "uri" or name in spec.entity_params():
                url = value if fmt == "uri" else self._entity_url(entities.get(str(value)))
                if url:
                    for policy in self.url_policies:
                        why = policy(str(url))
                        if why:
                            out.append(Violation(reason=ViolationReason.DOMAIN_NOT_ALLOWED,
                                                 param=name, message=why))
        for name, prop in props.items():
            nested = step.args.get(name)
            if prop.get("x-plan") and isinstance(nested, dict):
                out.extend(self._check_nested(name, nested, entities, now, ctx))
        out.extend(self._check_taint(plan, i, entities))
        has_refs = any(is_step_ref(v) for v in step.args.values())
        if params is not None and not out and not has_refs:
            # With step references the values exist only at run time, where the executor
            # checks the preconditions again right before the step.
            out.extend(spec.check_preconditions(ctx, params, asking=True))
        return out

    def _check_nested(self, name: str, value: dict[str, Any], entities: Mapping[str, Entity],
                      now: datetime, ctx: ActionContext) -> list[Violation]:
        """A plan passed as an argument (a scheduled plan) is verified now, not only later."""
        try:
            nested = Plan.model_validate(value)
        except ValueError as exc:
            return [Violation(reason=ViolationReason.SCHEMA, param=name,
                              message=f"not a plan: {str(exc).splitlines()[0]}")]
        return [v.model_copy(update={"param": name, "message": f"inner step "
                                     f"{(v.step or 0) + 1}: {v.message}"})
                for v in self.verify(nested, entities, now, ctx)
                if v.reason is not ViolationReason.TIME_IN_PAST]

    @staticmethod
    def _entity_url(entity: Entity | None) -> str | None:
        if entity is None:
            return None
        url = entity.attributes.get("url")
        return str(url) if url else None

    @staticmethod
    def _check_time(name: str, value: Any, now: datetime) -> list[Violation]:
        try:
            when = datetime.fromisoformat(str(value))
        except ValueError:
            return [Violation(reason=ViolationReason.SCHEMA, param=name,
                              message=f"'{value}' is not a time lam understood")]
        if when.tzinfo is None:
            when = when.replace(tzinfo=now.tzinfo)
        if when < now:
            return [Violation(reason=ViolationReason.TIME_IN_PAST, param=name,
                              message=f"{when.isoformat(timespec='minutes')} is in the past")]
        return []

    def _check_taint(self, plan: Plan, i: int,
                     entities: Mapping[str, Entity]) -> list[Violation]:
        """A value from untrusted text in a sensitive slot, or a side effect whose choice was
        made from untrusted text, needs the user's confirmation with the source shown. A send
        step whose target nobody said (the model's wording), or whose action content chose,
        never runs."""
        step = plan.steps[i]
        spec = self.registry.get(step.action)
        assert spec is not None
        out = []
        for name in spec.sensitive_params():
            value = step.args.get(name)
            if value is None:
                continue
            source = step.sources.get(name)
            tainted_by = None
            if source is not None and not source.provenance.trusted:
                tainted_by = source.provenance.source
            elif is_step_ref(value):
                tainted_by = f"the output of step {value.get('$step', 0) + 1}"
            else:
                entity = entities.get(str(value))
                if entity is not None and not entity.provenance.trusted:
                    tainted_by = entity.provenance.source
            if tainted_by:
                out.append(Violation(reason=ViolationReason.TAINTED_SENSITIVE, param=name,
                                     needs_confirmation=True,
                                     message=f"'{name}' comes from untrusted content "
                                             f"({tainted_by})"))
        sends = spec.effect in _SENDS
        for name in _steering(spec) if sends else ():
            source = step.sources.get(name)
            value = step.args.get(name)
            if isinstance(value, str) and source is not None and \
                    source.provenance == MODEL_WORDING:
                out = [v for v in out if v.param != name]
                out.append(Violation(reason=ViolationReason.TAINTED_SENSITIVE, param=name,
                                     message=f"{UNSAID} {value!r}: the model wrote it, and "
                                             f"the {name} of a {spec.effect.badge} step must "
                                             "come from you"))
        source = step.action_source
        if source is not None and not source.provenance.trusted and spec.effect.has_side_effect:
            # A send or an irreversible step that content chose never runs; a local change
            # asks, with the source shown.
            out.append(Violation(reason=ViolationReason.TAINTED_SENSITIVE, param=ACTION_SOURCE,
                                 needs_confirmation=not sends,
                                 message=f"the choice of '{step.action}' came from untrusted "
                                         f"content ({source.provenance.source}"
                                         + (f": {source.note}" if source.note else "") + ")"
                                         + ("; ask for it in your own words" if sends else "")))
        return out


_SENDS = frozenset({Effect.EXTERNAL_SEND, Effect.IRREVERSIBLE})
UNSAID = "nobody said"
"""How a violation about a target the model made up begins (see `unsaid`)."""


def _steering(spec: ActionSpec) -> list[str]:
    """Parameters that choose what a step acts on or where it goes: recipients, entities,
    addresses, and short texts (a button's label, a name); long texts are content."""
    props = spec.parameters_schema().get("properties", {})
    out = []
    for name, prop in props.items():
        short = prop.get("type") == "string" and int(prop.get("maxLength", 10**6)) <= 200
        if (name in spec.sensitive_params() or name in spec.entity_params() or short
                or format_of(prop) in ("uri", "email")):
            out.append(name)
    return out


def unsaid(violations: list[Violation]) -> list[Violation]:
    """Violations about a send step's target that nobody said (the model's own words): a
    question for the user, never run, not even with --yes."""
    return [v for v in violations if v.reason is ViolationReason.TAINTED_SENSITIVE
            and not v.needs_confirmation and v.message.startswith(UNSAID)]


def blocking(violations: list[Violation]) -> list[Violation]:
    """Violations that confirmation cannot lift."""
    return [v for v in violations if not v.needs_confirmation]

