"""Filters a request says are kept in a model's step (a count, a topic, a switch it names);
a switch the model turned on that the request does not say is turned off again."""

from __future__ import annotations

import pytest

from actions import ActionSpec, Step
from actions.plan import ValueSource
from assistant.planner.said_filters import said_count, said_topic, with_said_filters


@pytest.fixture(scope="module")
def specs(live_specs: dict[str, ActionSpec]) -> dict[str, ActionSpec]:
    return live_specs


def _by_model(action: str, **args: object) -> Step:
    return Step(action=action, args=args,
                sources={k: ValueSource(kind="model") for k in args})


@pytest.mark.parametrize(("request_text", "count"), [
    ("show me my latest 5 emails", 5), ("list the last three messages", 3),
    ("the 2 newest mails from Ana", 2), ("remind me in 5 minutes", None),
    ("at 5 send it", None), ("show the top 3 and the last 4 emails", None)])
def test_the_count_a_request_says(request_text: str, count: int | None) -> None:
    said = said_count(request_text)
    assert (said[0] if said else None) == count


def test_the_topic_a_request_names() -> None:
    assert said_topic("any emails about the sauna booking?") == "the sauna booking"
    assert said_topic("mail regarding rent from Ana") == "rent"
    assert said_topic("show my email") is None


def test_a_said_count_and_topic_fill_the_empty_filters(specs: dict[str, ActionSpec]) -> None:
    step = with_said_filters("show me my latest 5 emails about the sauna booking",
                             _by_model("list_emails"), specs["list_emails"])
    assert step.args == {"limit": 5, "subject": "the sauna booking"}
    assert step.sources["limit"].kind == "user_text" and step.sources["limit"].text == "latest 5"


def test_a_switch_the_model_made_up_is_reset(specs: dict[str, ActionSpec]) -> None:
    step = with_said_filters("show me my latest 5 emails", _by_model("list_emails", unread=True),
                             specs["list_emails"])
    assert "unread" not in step.args and step.args["limit"] == 5
    # words of the switch's description count as saying it ("new" for unread)
    kept = with_said_filters("anything new in my inbox?", _by_model("list_emails", unread=True),
                             specs["list_emails"])
    assert kept.args == {"unread": True}


def test_a_switch_the_request_names_is_set(specs: dict[str, ActionSpec]) -> None:
    step = with_said_filters("take a full page screenshot", _by_model("screenshot"),
                             specs["screenshot"])
    assert step.args == {"full_page": True}
    assert step.sources["full_page"].text == "full page"
    negated = with_said_filters("a screenshot, not the full page", _by_model("screenshot"),
                                specs["screenshot"])
    assert negated.args == {}


def test_a_step_with_side_effects_gets_no_count_or_topic(specs: dict[str, ActionSpec]) -> None:
    step = _by_model("send_email", to="contact:ana", body="see the 3 photos")
    assert with_said_filters("email ana about the trip: see the 3 photos", step,
                             specs["send_email"]) == step


def test_a_switch_said_in_other_words() -> None:
    from assistant.planner.said_filters import _named_switch

    assert _named_switch("grab the entire page as a picture", "full_page") == "entire page"
    assert _named_switch("grab the page as a picture", "full_page") is None


def test_a_relation_said_before_a_new_contacts_name() -> None:
    from assistant.planner.said_filters import _split_relation

    props = {"name": {"type": "string"}, "relation": {"type": "string"}}
    args: dict[str, object] = {"name": "my new physio mr ole brun"}
    _split_relation({"relation": props["relation"]}, args, {}, props)
    assert args == {"name": "ole brun", "relation": "physio"}
    kept: dict[str, object] = {"name": "my brother in law tom"}
    _split_relation({"relation": props["relation"]}, kept, {}, props)
    assert kept == {"name": "my brother in law tom"}
