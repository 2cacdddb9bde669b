"""The model's worked examples are pinned by the plugins (`prompt_example`), so adding a
template to an action does not change the system prompt, and so the planner's tier 1."""

from __future__ import annotations

import pytest

from actions.spec import ActionSpec
from assistant.planner.prompt import system_prompt


@pytest.fixture(scope="module")
def specs(live_specs: dict[str, ActionSpec]) -> list[ActionSpec]:
    return list(live_specs.values())


def _with_templates(specs: list[ActionSpec], name: str, extra: list[str]) -> list[ActionSpec]:
    return [s.model_copy(update={"templates": [*s.templates, *extra]}) if s.name == name else s
            for s in specs]


def test_more_templates_on_an_unpinned_action_leave_the_prompt_alone(
        specs: list[ActionSpec]) -> None:
    click = next(s for s in specs if s.name == "click")
    assert click.prompt_example is None
    many = [f"push the {{target}} control number {n}" for n in range(30)]
    assert system_prompt(_with_templates(specs, "click", many)) == system_prompt(specs)


def test_pinned_examples_come_first_in_their_order(specs: list[ActionSpec]) -> None:
    prompt = system_prompt(specs)
    examples = prompt.split("Examples:", 1)[1]
    first_email = examples.index("email Dana that")
    first_reminder = examples.index("remind me to water the plants")
    assert first_email < first_reminder  # plugins round-robin: browser, messaging, scheduler
    pinned: dict[str, list[str]] = {}
    for spec in sorted(specs, key=lambda s: s.prompt_example or 0):
        if spec.prompt_example is not None:
            pinned.setdefault(spec.plugin, []).append(spec.name)
    assert pinned == {"browser": ["open_link", "open_url", "read_page"],
                      "messaging": ["send_email", "add_contact", "list_emails"],
                      "scheduler": ["set_reminder", "list_jobs", "snooze_job"]}


def test_without_pins_the_most_templates_are_shown(specs: list[ActionSpec]) -> None:
    unpinned = [s.model_copy(update={"prompt_example": None}) for s in specs]
    many = [f"push the {{target}} control number {n}" for n in range(30)]
    prompt = system_prompt(_with_templates(unpinned, "click", many))
    assert "Request: click Sign in" in prompt  # its first template
    assert "Request: click Sign in" not in system_prompt(specs)
