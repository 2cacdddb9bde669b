"""A typing slip in the request's first word ("remnd me …") is read as the one template verb it
slips from (`TemplateMatcher.verb_slip`, used by `Planner.stage_templates`); tier 0 then plans
it, and the plan says how the word was read. Real templates; no model."""

from __future__ import annotations

from assistant.runtime import Runtime
from assistant.session import Session
from assistant.templates import TemplateMatcher


def test_a_slipped_verb_is_read_as_the_template_verb(runtime: Runtime) -> None:
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    plan = Session(runtime).propose("remnd me at 6pm to water the ferns").plan
    assert [(s.action, s.args["text"]) for s in plan.steps] == [
        ("set_reminder", "water the ferns")]
    assert plan.tier == 0
    assert "tier 0: read 'remnd' as 'remind'" in plan.escalations


def test_only_an_unknown_first_word_one_slip_from_one_verb(runtime: Runtime) -> None:
    matcher = TemplateMatcher(list(runtime.registry), strict=False)
    assert matcher.verb_slip("remind me at 6pm to call") is None      # a verb already
    assert matcher.verb_slip("rmind me at 6pm to call") == ("rmind", "remind")
    assert matcher.verb_slip("hello there") is None                    # no verb near it
    assert matcher.verb_slip("ok fine") is None                         # too short to read
