"""Text read from the page by position ("the 3rd word in the paragraph"), typed where the user
says: the user's words choose the text, the page only holds it, and the value is shown as
untrusted page text. Built entities, as the browser plugin publishes them."""

from __future__ import annotations

from typing import Any

from assistant.context import EntityTable
from tests.browser.page_entities import ground_request, page_table


def _page(paragraphs: list[str], *items: tuple[str, str, dict[str, Any]]) -> EntityTable:
    return page_table(*items, page_attributes={"paragraphs": paragraphs})



FORM: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("field", "answer", {"kind": "text"}), ("button", "Done", {}))


def test_the_nth_word_of_the_one_paragraph_is_typed_with_its_source_shown() -> None:
    table = _page(["Gamma delta, epsilon. Zeta eta"], *FORM)
    g = ground_request(
        "Find the 3rd word in the paragraph, type it into the text box and press Done", table)
    assert [(s.action, s.args) for s in g.steps] == [
        ("fill_field", {"field": "field1", "value": "epsilon"}),
        ("click", {"target": "button1"})]
    source = g.steps[0].sources["value"]
    assert not source.provenance.trusted and source.entity_id == "page"
    assert "the 3rd word in the paragraph" in source.describe()
    assert "UNTRUSTED" in source.describe()


def test_a_paragraph_by_its_ordinal_and_the_last_word() -> None:
    table = _page(["one two", "three four five"], *FORM)
    g = ground_request("find the last word of the second paragraph and enter that in the text box",
                table)
    assert [(s.action, s.args) for s in g.steps] == [
        ("fill_field", {"field": "field1", "value": "five"})]


def test_which_paragraph_is_unclear_or_the_word_is_not_there_nothing_is_typed() -> None:
    two = _page(["one two", "three four"], *FORM)
    g = ground_request("Find the 2nd word in the paragraph, type that into the text box", two)
    assert g.steps == [] and g.question is not None
    one = _page(["one two"], *FORM)
    g = ground_request("Find the 5th word in the paragraph, type that into the text box", one)
    assert g.steps == [] and g.question is not None and "2 words" in g.question


def test_without_a_positional_read_that_is_still_a_question() -> None:
    table = _page(["one two"], *FORM)
    g = ground_request("Find the paragraph, type that into the text box", table)
    assert g.steps == [] and g.question is not None and "exact text" in g.question


def test_find_by_words_opens_the_one_element_naming_them_and_asks_among_several() -> None:
    rows = (("link", "Ann Lee: Lunch", {"clickable": True}),
            ("link", "Bo Chan: Slides", {"clickable": True}),
            ("link", "Ann Lee: Budget", {"clickable": True}))
    g = ground_request("Find the email by Bo Chan and click the trash icon", _page([], *rows))
    assert [(s.action, s.args) for s in g.steps] == [("click", {"target": "link2"})]
    assert [c.text for c in g.rest] == ["click the trash icon"]
    g = ground_request("Find the email by Ann Lee and click the trash icon", _page([], *rows))
    assert g.steps == [] and g.question is not None and len(g.options) == 2


def test_an_icon_is_named_by_its_class_words() -> None:
    table = _page([], ("link", "back", {"icon": True}), ("link", "trash", {"icon": True}),
                  ("link", "Trash day notes", {"clickable": True}))
    g = ground_request("click the trash icon", table)
    assert [(s.action, s.args) for s in g.steps] == [("click", {"target": "link2"})]
