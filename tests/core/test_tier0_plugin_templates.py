"""The first-party plugins' sentence templates end to end (tier 0, no model), for requests
like the ones the golden set found wrong: a reference inside a free click target, "it" in a
later step, a free slot swallowing a second step, a fixed argument."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bench.evaluation.golden import Case, CaseResult, GoldenRunner, load_cases

CONTEXTS = {c.id: c.context for c in load_cases()}


@pytest.fixture(scope="module")
def runner() -> Iterator[GoldenRunner]:
    with GoldenRunner(model="none") as r:
        yield r


def run(runner: GoldenRunner, context_of: str, request: str,
        steps: list[dict[str, Any]]) -> CaseResult:
    case = Case(id="t", split="dev", domain="general", categories=["multistep"],
                request=request, context=CONTEXTS[context_of],
                expect={"kind": "actions", "steps": steps})  # type: ignore[arg-type]
    return runner.run_case(case)


@pytest.mark.parametrize(("request_text", "steps"), [
    ("click through to the third link", [
        {"action": "open_link", "args": {"link": {"entity": "link3"}}}]),
    ("show my new emails", [{"action": "list_emails", "args": {"unread": True}}]),
    ("list my emails", [{"action": "list_emails", "args": {"unread": {"absent": True}}}]),
    ("search for cheap flights to Rome and email the page to Carol Diaz", [
        {"action": "search_web", "args": {"query": "cheap flights to Rome"}},
        {"action": "send_email", "args": {"to": {"entity": "contact:carol-diaz"},
                                          "body": {"step": 0}}}]),
    ("email this page to Carol Diaz", [
        {"action": "send_email", "args": {"to": {"entity": "contact:carol-diaz"},
                                          "body": "https://news.example.com/"}}]),
])
def test_browser_and_mail_templates(runner: GoldenRunner, request_text: str,
                                    steps: list[dict[str, Any]]) -> None:
    result = run(runner, "ref-link-004", request_text, steps)
    assert result.tier == 0 and not result.escalations, result.escalations
    assert result.ok, (result.reason, result.steps)


@pytest.mark.parametrize(("request_text", "steps"), [
    ("read the third email and forward it to Bob Stone", [
        {"action": "read_email", "args": {"email": {"entity": "email:103"}}},
        {"action": "forward_email", "args": {"email": {"entity": "email:103"},
                                             "to": {"entity": "contact:bob-stone"}}}]),
    ("mark the second email as unread and reply to it saying got it", [
        {"action": "mark_unread", "args": {"email": {"entity": "email:102"}}},
        {"action": "reply_email", "args": {"email": {"entity": "email:102"},
                                           "body": "got it"}}]),
])
def test_it_in_a_mail_sequence(runner: GoldenRunner, request_text: str,
                               steps: list[dict[str, Any]]) -> None:
    result = run(runner, "multi-021", request_text, steps)
    assert result.tier == 0 and result.kind == "actions", result.question
    assert result.ok, (result.reason, result.steps)
