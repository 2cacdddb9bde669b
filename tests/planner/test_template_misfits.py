"""Sentence templates must not read requests they do not fit (hassil-style must-not-match
cases), and the verifier's rules about what chose an action and who said a send's target.
Real plugins, no model."""

from __future__ import annotations

import pytest

from actions.entities import Provenance
from actions.plan import ACTION_SOURCE, MODEL_WORDING, Plan, Step, ValueSource
from actions.violations import ViolationReason
from assistant.runtime import Runtime
from assistant.session import Session
from assistant.templates import TemplateMatcher
from tests.planner.conftest import NOW


@pytest.fixture
def matcher(runtime: Runtime) -> TemplateMatcher:
    planner = Session(runtime).planner
    planner._template_matches("warm up")  # builds the planner's own matcher
    assert isinstance(planner._matcher, TemplateMatcher)
    return planner._matcher


@pytest.mark.parametrize(("request_text", "not_action"), [
    ("show me what's scheduled", "read_email"),      # "me" is whom to show, not an email
    ("show me the latest headlines", "read_email"),
    ("open the Docs link", "read_email"),            # a link, by its noun
    ("open the Pricing link", "read_email"),
    ("check the Remember me box", "list_emails"),
    ("open example.com and open the Docs link", "open_link"),  # no slot swallows a step
])
def test_a_template_does_not_read_what_it_does_not_fit(matcher: TemplateMatcher,
                                                       request_text: str,
                                                       not_action: str) -> None:
    assert not_action not in {m.action for m in matcher.recognize(request_text).matches}


@pytest.mark.parametrize(("request_text", "action"), [
    ("open the Docs link", "open_link"),
    ("open the second link", "open_link"),
    ("show the first email", "read_email"),
    ("read the email from Bob", "read_email"),
    ("check the Remember me box", "set_checkbox"),
])
def test_the_templates_that_fit_still_read_it(matcher: TemplateMatcher, request_text: str,
                                              action: str) -> None:
    best = matcher.recognize(request_text).best
    assert best is not None and best.action == action


def test_open_x_and_open_a_link_by_label_is_a_sequence(matcher: TemplateMatcher) -> None:
    seq = matcher.match_sequence("open example.com and open the Docs link")
    assert seq is not None and [m.action for m in seq] == ["open_url", "open_link"]


@pytest.mark.parametrize(("request_text", "actions"), [
    ("check my email and open the latest one", ["list_emails", "read_email"]),
    ("open example.com and open the first one", ["open_url", "open_link"]),
])
def test_a_tied_later_part_takes_what_the_part_before_produces(
        matcher: TemplateMatcher, request_text: str, actions: list[str]) -> None:
    seq = matcher.match_sequence(request_text)
    assert seq is not None and [m.action for m in seq] == actions
    assert matcher.match_sequence("open the latest one") is None  # alone: still a tie


def test_a_reads_slot_does_not_swallow_a_step_on_what_it_found(
        matcher: TemplateMatcher) -> None:
    """"search for X and email them to Ana": no template reads the second part, and the
    search's query is not all of it; the model plans that part (`Cascade._hybrid`)."""
    assert matcher.match_sequence("search for ferry times and email them to ana") is None
    assert matcher.match_sequence(
        "search for ferry times and email the first result to ana") is None
    kept = matcher.match_sequence("search for cats and dogs")  # an "and" that starts no step
    assert kept is not None and kept[0].slots["query"] == "cats and dogs"


# -- the verifier ------------------------------------------------------------------------------
PAGE = Provenance(trusted=False, source="page https://shop.example/")


def _violations(runtime: Runtime, step: Step) -> list[tuple[ViolationReason, str | None, bool]]:
    session = Session(runtime)
    return [(v.reason, v.param, v.needs_confirmation)
            for v in session.verifier.verify(Plan(steps=[step]), session.table.as_mapping(),
                                             NOW)]


def test_a_send_that_content_chose_is_refused(runtime: Runtime) -> None:
    chosen = ValueSource(kind="entity", entity_id="page:1", provenance=PAGE)
    step = Step(action="click", args={"target": "Buy now"},
                sources={ACTION_SOURCE: chosen})
    assert (ViolationReason.TAINTED_SENSITIVE, ACTION_SOURCE, False) in \
        _violations(runtime, step)


def test_a_local_change_that_content_chose_asks(runtime: Runtime) -> None:
    chosen = ValueSource(kind="entity", entity_id="page:1", provenance=PAGE)
    step = Step(action="add_contact", args={"name": "Eve"}, sources={ACTION_SOURCE: chosen})
    assert (ViolationReason.TAINTED_SENSITIVE, ACTION_SOURCE, True) in \
        _violations(runtime, step)


def test_an_action_the_user_chose_is_fine(runtime: Runtime) -> None:
    step = Step(action="click", args={"target": "Buy now"},
                sources={ACTION_SOURCE: ValueSource(kind="user_text", text="click"),
                         "target": ValueSource(kind="user_text", text="Buy now")})
    assert _violations(runtime, step) == []


def test_a_send_target_in_the_models_words_is_refused(runtime: Runtime) -> None:
    step = Step(action="click", args={"target": "Sign in"},
                sources={"target": ValueSource(kind="user_text", text="Sign in",
                                               provenance=MODEL_WORDING)})
    assert _violations(runtime, step) == [(ViolationReason.TAINTED_SENSITIVE, "target", False)]
    # A long text (a body) in the model's words is content, not a target.
    body = Step(action="send_email", args={"to": "bob@example.org", "body": "Hi Bob"},
                sources={"to": ValueSource(text="bob@example.org"),
                         "body": ValueSource(text="Hi Bob", provenance=MODEL_WORDING)})
    assert not [v for v in _violations(runtime, body)
                if v[0] is ViolationReason.TAINTED_SENSITIVE]
    # Only sends (and irreversible steps) are held to this.
    name = Step(action="add_contact", args={"name": "Eve"},
                sources={"name": ValueSource(provenance=MODEL_WORDING)})
    assert _violations(runtime, name) == []


@pytest.mark.parametrize(("request_text", "to", "body"), [
    ("text Wim that the ferry is late", "Wim", "the ferry is late"),
    ("message wim saying the keys are under the mat", "wim", "the keys are under the mat"),
    ("shoot Wim a quick line saying running late", "Wim", "running late"),
    ("drop my landlord a note that the boiler is fixed", "my landlord", "the boiler is fixed"),
])
def test_other_message_verbs_read_as_an_email(matcher: TemplateMatcher, request_text: str,
                                              to: str, body: str) -> None:
    found = matcher.match_sequence(request_text)
    assert found is not None and len(found) == 1
    assert (found[0].action, found[0].slots) == ("send_email", {"to": to, "body": body})
