"""The browser plugin's sentence templates for submitting a form: any determiner (or none)
before "form" reads as submit_form with no target (the form of the field used last, or the
page's only form)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.templates import TemplateMatcher
from tests.browser.conftest import make_plugin


@pytest.mark.parametrize("request_text", ["submit this form", "Submit the form.",
                                          "submit form", "send that form", "send the form"])
def test_submitting_a_form_by_its_kind_is_submit_form_without_a_target(
        request_text: str) -> None:
    matcher = TemplateMatcher(make_plugin(Path("/tmp")).actions())
    best = matcher.recognize(request_text).best
    assert best is not None and best.action == "submit_form"
    assert best.slots == {}


@pytest.mark.parametrize(("request_text", "direction"), [
    ("back up to the top", "top"), ("jump to the bottom of the page", "bottom"),
    ("go to the top", "top"), ("scroll down to the bottom", "bottom")])
def test_to_the_top_or_bottom_is_a_scroll_that_way(request_text: str, direction: str) -> None:
    matcher = TemplateMatcher(make_plugin(Path("/tmp")).actions())
    best = matcher.recognize(request_text).best
    assert best is not None and best.action == "scroll"
    assert best.slots == {"direction": direction}
