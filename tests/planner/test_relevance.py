"""The relevance gate: small talk gets a plain answer without a model; anything with an action's
words, a reference, an address, or a time with something to do at it goes on to planning."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from actions.plan import PlanKind
from assistant.planner.relevance import ActionVocabulary
from assistant.runtime import Runtime, RuntimeOptions
from assistant.session import Session

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 24, 10, 15, tzinfo=TZ)


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = Runtime(RuntimeOptions(home=str(tmp_path), now=NOW, tz="Europe/Berlin"))
    rt.model_factories = {1: lambda: None, 2: lambda: None}
    yield rt
    rt.close()


@pytest.fixture
def vocabulary(runtime: Runtime) -> ActionVocabulary:
    assert {"open_url", "set_reminder", "send_email"} <= {s.name for s in runtime.registry}
    return ActionVocabulary(list(runtime.registry))


@pytest.mark.parametrize("request_text", [
    "good morning!", "how are you today?", "sing me a song", "I'm bored", "who are you?",
    "never mind", "ok thanks", "tell me a joke"])
def test_small_talk_is_not_actionable(vocabulary: ActionVocabulary, request_text: str) -> None:
    assert vocabulary.why_actionable(request_text, NOW, TZ) is None


@pytest.mark.parametrize(("request_text", "why"), [
    ("nudge me about the oven", "action words: nudge"),
    ("tell Bob the oven is on", "action words: tell"),
    ("tell me my reminders", "action words: reminders"),
    ("bookmark this", "a reference"),
    ("what about foo.dev/zzz?", "an address: foo.dev/zzz"),
    ("wake me at 7", "a time, with something to do at it"),
    ("pack my bag tomorrow evening", "a time, with something to do at it"),
])
def test_actionable_requests_name_what_makes_them_so(
        vocabulary: ActionVocabulary, request_text: str, why: str) -> None:
    assert vocabulary.why_actionable(request_text, NOW, TZ) == why


def test_a_plugin_action_extends_the_vocabulary(runtime: Runtime) -> None:
    words = ActionVocabulary(list(runtime.registry)).words
    assert "forward" in words and "remind" in words
    assert "song" not in words


def test_small_talk_gets_an_answer_that_names_the_plugins(runtime: Runtime) -> None:
    calls: list[str] = []

    def model() -> None:
        calls.append("loaded")
        return None

    runtime.model_factories = {1: model, 2: model}
    proposal = Session(runtime).propose("good morning!")
    assert proposal.plan.kind is PlanKind.NO_ACTION
    assert "browser" in (proposal.plan.answer or "")
    assert calls == []


def test_a_resolved_reference_names_the_actions_that_take_it(runtime: Runtime) -> None:
    from actions.entities import Entity, Provenance, Scope
    from assistant.planner.cascade import Planner
    from assistant.planner.prompt import request_message

    link = Entity(id="link:1", type="link", label="Docs", ordinal=1, scope=Scope.SCREEN,
                  provenance=Provenance(trusted=False, source="page"))
    session = Session(runtime)
    session.table.publish([link])
    mentions = Planner._pre_resolve("go to the first link", session.table)
    message = request_message("go to the first link", session.table.all(), mentions,
                              specs=list(runtime.registry))
    assert '"the first link" = link:1 (a link: ' in message
    takers = message.split("(a link: ")[1].split(")")[0].split(", ")
    assert "open_link" in takers and "send_email" not in takers


def test_a_known_person_makes_a_request_actionable(vocabulary: ActionVocabulary) -> None:
    assert vocabulary.why_actionable("yo Bob, the report is done", NOW, TZ) is None
    assert vocabulary.why_actionable("yo Bob, the report is done", NOW, TZ,
                                     frozenset({"bob", "stone"})) == "a person: bob"


def test_the_label_of_a_thing_on_screen_makes_a_request_actionable(
        vocabulary: ActionVocabulary) -> None:
    labels = ("Older posts", "Privacy")
    assert vocabulary.why_actionable("smash older posts", NOW, TZ) is None
    assert vocabulary.why_actionable("smash older posts", NOW, TZ, on_screen=labels) \
        == "a thing on screen: Older posts"
    assert vocabulary.why_actionable("good morning!", NOW, TZ, on_screen=labels) is None
