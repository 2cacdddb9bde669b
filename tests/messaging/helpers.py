"""Running a plugin's action the way lam does: validate, check preconditions, run."""

from __future__ import annotations

from typing import Any

from actions import ActionContext, ActionResult, Entity, Plugin


def run_action(plugin: Plugin, name: str, *, key: str = "", entities: list[Entity] | None = None,
               **args: Any) -> ActionResult:
    spec = next(s for s in plugin.actions() if s.name == name)
    params, errors = spec.validate_args(args)
    assert params is not None, errors
    ctx = ActionContext(idempotency_key=key, entities={e.id: e for e in entities or []})
    violations = spec.check_preconditions(ctx, params)
    if violations:
        return ActionResult.fail("; ".join(v.message for v in violations))
    return spec.run(ctx, params)
