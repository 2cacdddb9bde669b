"""Several fields of the form on screen filled in one request (assistant/planner/form_fill.py,
`Planner.stage_form`): each part paired with the one field its words name, the user's own text
as the value. Real templates (tier 0); a scripted tier 1 that plans nothing shows the model is
not asked."""

from __future__ import annotations

from typing import Any

from actions.entities import Entity, Provenance, Scope
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.test_escalation import Scripted

PAGE = "page https://pottery.example/signup"


def _field(n: int, label: str, **attrs: Any) -> Entity:
    return Entity(id=f"field{n}", type="field", label=label, attributes=attrs,
                  provenance=Provenance.untrusted(PAGE), scope=Scope.SCREEN, ordinal=n)


FORM = [_field(1, "Your name", name="fullname", kind="text"),
        _field(2, "E-mail", name="mail", kind="email"),
        _field(3, "Seats", name="seats", kind="select", options=["1", "2", "3", "4+"]),
        _field(4, "Send me news", name="news", kind="checkbox"),
        Entity(id="button1", type="button", label="Book seats", attributes={},
               provenance=Provenance.untrusted(PAGE), scope=Scope.SCREEN, ordinal=1)]


def _plan(runtime: Runtime, request: str) -> list[tuple[str, dict[str, Any]]]:
    runtime.model_factories = {1: lambda: Scripted({"steps": [], "reply": "?"}),
                               2: lambda: None}
    session = Session(runtime)
    session.table.publish(FORM)
    plan = session.propose(request).plan
    return [(s.action, s.args) for s in plan.steps]


def test_field_then_value_parts_and_a_submit(runtime: Runtime) -> None:
    assert _plan(runtime, "fill out the form: name Ivo Brandt, e-mail ivo@brandt.example, "
                          "then submit") == [
        ("fill_field", {"field": "field1", "value": "Ivo Brandt"}),
        ("fill_field", {"field": "field2", "value": "ivo@brandt.example"}),
        ("submit_form", {})]


def test_value_then_field_and_an_option_by_its_list(runtime: Runtime) -> None:
    assert _plan(runtime, "put Ivo Brandt in the name field and pick 2 seats") == [
        ("fill_field", {"field": "field1", "value": "Ivo Brandt"}),
        ("select_option", {"field": "field3", "option": "2"})]


def test_my_field_as_value_and_pressing_a_named_button(runtime: Runtime) -> None:
    assert _plan(runtime, "fill in my name as Ivo Brandt and mail ivo@brandt.example, then "
                          "hit book seats") == [
        ("fill_field", {"field": "field1", "value": "Ivo Brandt"}),
        ("fill_field", {"field": "field2", "value": "ivo@brandt.example"}),
        ("click", {"target": "button1"})]


def test_parts_that_do_not_read_as_fields_leave_it_to_the_rest() -> None:
    from assistant.context import EntityTable
    from assistant.planner.form_fill import read_form

    table = EntityTable()
    table.publish(FORM)
    for request in ("put the kettle on and then submit",       # no field named
                    "fill in my name as Ivo Brandt",            # one field, nothing else
                    "submit, then put Ivo in the name field",   # a press before the rest
                    "type Ivo in the name field and tick news",  # a checkbox is not typed
                    "fill in my name as Ivo and my name as Bo"):  # one field twice
        assert read_form(request, table) is None, request
    assert read_form("fill in my name as Ivo Brandt and pick 2 seats", table) is not None
    steps = read_form("fill in my name as Ivo Brandt and pick 2 seats", table)
    assert steps is not None
    assert steps[0].sources["value"].kind == "user_text"
    assert steps[0].sources["field"].entity_id == "field1"


CONTACT = Entity(id="contact:ivo", type="contact", label="Ivo Brandt",
                 attributes={"email": "ivo@brandt.example", "nicknames": ["Ivi"]},
                 provenance=Provenance.user(), scope=Scope.BACKGROUND)


def _model_plan(runtime: Runtime, request: str, value: str) -> Any:
    """Tier 1 (scripted) types ``value`` into the name field, whatever the request says."""
    runtime.model_factories = {1: lambda: Scripted({"steps": [
        {"action": "fill_field", "args": {"field": "field1", "value": value}}]}),
        2: lambda: Scripted({"steps": [
            {"action": "fill_field", "args": {"field": "field1", "value": value}}]})}
    session = Session(runtime)
    session.table.publish(FORM)
    session.extra_background = [CONTACT]  # the address book, as a plugin would give it
    return session.propose(request).plan


def test_a_contacts_details_are_never_filled_in_unasked(runtime: Runtime) -> None:
    """A model that fills a form with a contact the request never names gets a question
    back, at any tier; the same value is fine when the request names the person."""
    plan = _model_plan(runtime, "fill in this form for me", "Ivo Brandt")
    assert plan.kind.value == "question" and not plan.steps
    assert "contacts" in (plan.question or "")
    plan = _model_plan(runtime, "fill in ivi's name", "Ivo Brandt")
    assert [(s.action, s.args) for s in plan.steps] == [
        ("fill_field", {"field": "field1", "value": "Ivo Brandt"})]


def test_an_option_picked_by_its_word_and_its_lists_word(runtime: Runtime) -> None:
    """"pick 4+ seats" / "choose 2 seats": the option of the one list whose label the last
    word names; a word of no list is left to the rest of the cascade."""
    from assistant.context import EntityTable
    from assistant.planner.form_fill import read_form

    assert _plan(runtime, "choose 2 seats") == [
        ("select_option", {"field": "field3", "option": "2"})]
    table = EntityTable()
    table.publish(FORM)
    assert read_form("pick the second link", table) is None
    assert read_form("select 9 seats", table) is None   # no such option
