"""The action contract: one declaration yields schema, validation, conditions and inverse."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from actions import (
    ActionContext,
    ActionDeclarationError,
    ActionResult,
    ActionSpec,
    Capabilities,
    Condition,
    Effect,
    EntityRef,
    NoSettings,
    Plugin,
    Sensitive,
    ShortText,
    Step,
    Url,
    ViolationReason,
    When,
    action,
)


def _not_blank(ctx: ActionContext, params: BaseModel) -> str | None:
    return "text is blank" if not getattr(params, "text").strip() else None


def _echoed(ctx: ActionContext, params: BaseModel, result: ActionResult) -> str | None:
    return None if result.output.get("echo") == getattr(params, "text") else "echo differs"


class Demo(Plugin):
    name = "demo"

    @action(effect=Effect.SCHEDULE, templates=["remind me to {text} {when}"],
            preconditions=[Condition(name="not_blank", check=_not_blank)],
            postconditions=[Condition(name="echoed", check=_echoed)],
            inverse=lambda params, result: Step(action="cancel", args={"job": "j1"}),
            produces=["job"])
    def remind(self, ctx: ActionContext, text: ShortText, when: When) -> ActionResult:
        """Set a reminder.

        Args:
          text: what to be reminded of
          when: when, as the user said it
        """
        return ActionResult(output={"echo": text})

    @action(effect=Effect.EXTERNAL_SEND)
    def send(self, ctx: ActionContext, to: Sensitive(EntityRef("contact")),
             page: Url = "about:blank") -> ActionResult:
        """Send something to a contact."""
        return ActionResult()


def specs() -> dict[str, ActionSpec]:
    plugin = Demo(Capabilities(settings=NoSettings(), data_dir=Path(".")))
    return {s.name: s for s in plugin.actions()}


def test_schema_comes_from_the_signature_and_docstring() -> None:
    remind = specs()["remind"]
    schema = remind.parameters_schema()
    assert schema["required"] == ["text", "when"]
    assert schema["properties"]["text"] == {
        "description": "what to be reminded of", "maxLength": 200, "type": "string"}
    assert schema["properties"]["when"]["format"] == "date-time"
    assert schema["additionalProperties"] is False
    assert remind.description == "Set a reminder."
    assert remind.effect is Effect.SCHEDULE
    assert remind.plugin == "demo"
    assert remind.templates == ["remind me to {text} {when}"]


def test_entity_and_sensitive_markers() -> None:
    send = specs()["send"]
    assert send.entity_params() == {"to": "contact"}
    assert send.sensitive_params() == {"to"}


def test_validation_returns_typed_violations() -> None:
    remind = specs()["remind"]
    params, violations = remind.validate_args({"text": "x" * 201, "when": "9", "extra": 1})
    assert params is None
    reasons = {(v.reason, v.param) for v in violations}
    assert (ViolationReason.SCHEMA, "text") in reasons
    assert (ViolationReason.SCHEMA, "extra") in reasons


def test_conditions_and_inverse() -> None:
    remind = specs()["remind"]
    params, _ = remind.validate_args({"text": "  ", "when": "tomorrow"})
    assert params is not None
    (violation,) = remind.check_preconditions(ActionContext(), params)
    assert violation.reason is ViolationReason.PRECONDITION
    assert violation.message == "not_blank: text is blank"
    good, _ = remind.validate_args({"text": "call", "when": "tomorrow"})
    assert good is not None
    result = remind.run(ActionContext(), good)
    assert remind.check_postconditions(ActionContext(), good, result) == []
    bad = ActionResult(output={"echo": "other"})
    assert remind.check_postconditions(ActionContext(), good, bad)[0].message == (
        "echoed: echo differs")
    assert remind.undo_step(good, result) == Step(action="cancel", args={"job": "j1"})


def test_from_model_declaration() -> None:
    class OpenParams(BaseModel):
        """Open a page."""

        url: Url = Field(description="where to go")

    spec = ActionSpec.from_model("open_page", OpenParams,
                                 lambda ctx, p: ActionResult(output={"url": p.url}))
    assert spec.description == "Open a page."
    assert spec.tool_schema()["parameters"]["properties"]["url"]["format"] == "uri"


def test_bad_declarations_raise_named_errors() -> None:
    def Bad(ctx: ActionContext) -> ActionResult:
        """Bad name."""
        return ActionResult()

    with pytest.raises(ActionDeclarationError, match="must be lower_snake_case"):
        ActionSpec.from_function(Bad)

    def untyped(ctx, x):  # type: ignore[no-untyped-def]
        """No types."""
        return ActionResult()

    with pytest.raises(ActionDeclarationError, match="parameter 'x' needs a type"):
        ActionSpec.from_function(untyped)
