"""Punctuation said aloud is read as the marks it names, and only the unambiguous names."""

from __future__ import annotations

from assistant.planner.dictation import undictated
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.test_escalation import Scripted


def test_spoken_marks_are_written_as_marks() -> None:
    assert undictated("text priya comma the cat is at the vet comma can you pick her up "
                      "question mark ta") == \
        "text priya, the cat is at the vet, can you pick her up? ta"
    assert undictated("tell omar well done exclamation mark full stop") == \
        "tell omar well done!."


def test_words_that_are_marks_only_sometimes_are_left() -> None:
    for request in ("remind me when the trial period ends", "email bob colon hi",
                    "open example.com/a,b"):
        assert undictated(request) == request


def test_a_dictated_message_body_holds_the_marks(runtime: Runtime) -> None:
    tier1 = Scripted({"steps": [{"action": "send_email", "args": {
        "to": "kai@kai.example", "body": "the van is free, want it sunday?"}}]})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    plan = Session(runtime).propose("email kai@kai.example comma the van is free comma want "
                                    "it sunday question mark").plan
    assert [s.args.get("body") for s in plan.steps] == ["the van is free, want it sunday?"]
    assert any("punctuation said aloud" in e for e in plan.escalations)
