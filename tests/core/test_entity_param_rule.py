"""One rule for what an entity parameter may hold, shared by the verifier and the executor: an
id of an entity of its type in scope, or a literal its type accepts (an email address where the
schema says ``format: email``). What the verifier lets through, the executor runs."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from actions import ActionContext, ActionResult, Effect, Entity, Plan, Scope, Step, action
from actions.spec import collect_actions
from actions.types import ENTITY_KEY
from actions.violations import ViolationReason
from assistant.context import entity_param_violation
from assistant.planner.cascade import Proposal
from assistant.runtime import Runtime
from assistant.session import Session
from tests.core.conftest import NOW

RECIPIENT = {ENTITY_KEY: "contact", "format": "email"}
CONTACT_ONLY = {ENTITY_KEY: "contact"}
BOB = Entity(id="contact:bob", type="contact", label="Bob", scope=Scope.BACKGROUND)
LINK = Entity(id="link:1", type="link", label="Story", ordinal=1)
SCOPE = {e.id: e for e in (BOB, LINK)}

Recipient = Annotated[str, Field(max_length=320, json_schema_extra=RECIPIENT)]


class Mailer:
    """An action whose recipient is a contact id or a typed address (as messaging's)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    @action(effect=Effect.EXTERNAL_SEND)
    def mail_to(self, ctx: ActionContext, to: Recipient, body: str) -> ActionResult:
        """Mail someone."""
        self.sent.append(to)
        return ActionResult(message=f"mailed {to}")


def test_the_rule() -> None:
    assert entity_param_violation("to", RECIPIENT, "contact:bob", SCOPE) is None
    assert entity_param_violation("to", RECIPIENT, "bob@example.org", SCOPE) is None
    missing = entity_param_violation("to", CONTACT_ONLY, "bob@example.org", SCOPE)
    assert missing is not None and missing.reason is ViolationReason.UNRESOLVED_ENTITY
    assert missing.message == "'bob@example.org' is not an entity in scope"
    gone = entity_param_violation("to", RECIPIENT, "contact:ann", SCOPE,
                                  missing="is no longer in scope")
    assert gone is not None and gone.message == "'contact:ann' is no longer in scope"
    typed = entity_param_violation("to", RECIPIENT, "link:1", SCOPE)
    assert typed is not None and typed.reason is ViolationReason.MISTYPED_ENTITY
    not_an_address = entity_param_violation("to", RECIPIENT, "bob at example", SCOPE)
    assert not_an_address is not None


def test_a_typed_address_the_verifier_accepts_is_run(runtime: Runtime) -> None:
    mailer = Mailer()
    (spec,) = collect_actions(mailer)
    runtime.registry.add(spec)
    session = Session(runtime)
    session.refresh_background()
    plan = Plan(request="mail bob", steps=[
        Step(action="mail_to", args={"to": "bob@example.org", "body": "the list is ready"})])
    assert session.verifier.verify(plan, session.table.as_mapping(), NOW) == []
    report = session.run(Proposal(plan=plan))
    assert report.ok, report.summary()
    assert mailer.sent == ["bob@example.org"]


def test_the_executor_still_refuses_what_left_scope(runtime: Runtime) -> None:
    session = Session(runtime)
    session.refresh_background()
    plan = Plan(request="tell alice", steps=[
        Step(action="send_message", args={"to": "contact:alice-chen", "body": "hi"})])
    assert session.verifier.verify(plan, session.table.as_mapping(), NOW) == []
    session.table.set_background([])  # the contact was deleted meanwhile
    report = session.executor.run(plan, session.table)
    assert not report.ok
    assert report.steps[0].problems == [
        "[unresolved_entity] plan 'to': 'contact:alice-chen' is no longer in scope"]
