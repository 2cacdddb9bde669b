"""Grounding requests on a page's entities (fast: the entities are built here, as the browser
plugin publishes them; test_page_tasks.py runs the same through real Chromium)."""

from __future__ import annotations

from typing import Any

from assistant.context import EntityTable
from assistant.page_grounding import Grounding, ground, read_clauses
from tests.browser.page_entities import ground_request, page_table


def _page(*items: tuple[str, str, dict[str, Any]]) -> EntityTable:
    return page_table(*items)



def _calls(g: Grounding) -> list[tuple[str, dict[str, Any]]]:
    return [(s.action, s.args) for s in g.steps]


TEXT = {"kind": "text"}


def test_requests_not_about_the_page_are_left_to_the_planner() -> None:
    for request in ("remind me at 5 to call Bob", "open example.com and click Docs",
                    "click the third link and then open example.com",
                    "navigate to example.com"):
        assert read_clauses(request) is None, request


def test_both_text_fields_get_the_value() -> None:
    table = _page(("field", "New password", {"kind": "password"}),
                  ("field", "Repeat it", {"kind": "password"}), ("button", "Save", {}))
    g = ground_request('Type "s3cret" into both text fields and press Save', table)
    assert _calls(g) == [("fill_field", {"field": "field1", "value": "s3cret"}),
                         ("fill_field", {"field": "field2", "value": "s3cret"}),
                         ("click", {"target": "button1"})]


def test_fields_by_their_names_and_an_ambiguous_kind_asks() -> None:
    table = _page(("field", "Username", {"kind": "text", "id": "username"}),
                  ("field", "Password", {"kind": "password", "id": "password"}),
                  ("button", "Log in", {}))
    g = ground_request('Enter the username "ann" and the password "pw" and press log in', table)
    assert _calls(g) == [("fill_field", {"field": "field1", "value": "ann"}),
                         ("fill_field", {"field": "field2", "value": "pw"}),
                         ("click", {"target": "button1"})]
    asked = ground_request('Type "ann" in the text field', table)
    assert asked.steps == [] and asked.question is not None
    assert "Username" in asked.question and "Password" in asked.question


def test_ordinals_over_a_result_list_and_the_rest_after_a_page_change() -> None:
    group = {"url": "", "group": "div.result>span.hit"}
    table = _page(("field", "", {"kind": "search"}), ("button", "Go", {}),
                  ("link", "Help", {"url": "http://127.0.0.1/help", "group": "footer>a"}),
                  ("link", "first hit", group), ("link", "second hit", group),
                  ("link", "third hit", group))
    g = ground_request('Type "owls" in the search box, press Go, then click the 2nd result', table)
    assert _calls(g) == [("fill_field", {"field": "field1", "value": "owls"}),
                         ("click", {"target": "button1"})]
    assert [c.text for c in g.rest] == ["click the 2nd result"]
    later = ground(g.rest, table)  # as the loop does on the page read after "press Go"
    assert _calls(later) == [("click", {"target": "link3"})]


def test_a_quoted_label_a_dialog_close_button_and_a_tab_number() -> None:
    table = _page(("button", "yes please", {}), ("button", "yes", {}),
                  ("button", "Close", {"aliases": ["x", "close"], "dialog": "Note"}),
                  ("tab", "Tab #1", {}), ("tab", "Tab #2", {}))
    assert _calls(ground_request('Click on the "yes" button.', table)) == [
        ("click", {"target": "button2"})]
    assert _calls(ground_request('Close the note by clicking the "x".', table)) == [
        ("click", {"target": "button3"})]
    assert _calls(ground_request("Click on Tab #2.", table)) == [("click", {"target": "tab2"})]


def test_a_target_in_a_closed_tab_opens_the_tab_first() -> None:
    table = _page(("tab", "One", {"selected": True, "holds": ["alpha"]}),
                  ("tab", "Two", {"selected": False, "holds": ["beta", "gamma"]}))
    g = ground_request('Find and click on the link "gamma"', table)
    assert _calls(g) == [("click", {"target": "tab2"})]
    assert [c.text for c in g.rest] == ['click on the link "gamma"']


def test_a_pronoun_is_never_typed() -> None:
    table = _page(("field", "", TEXT))
    g = ground_request("Find the last word, type that into the textbox", table)
    assert g.steps == [] and g.question is not None


def test_a_description_of_the_value_is_asked_never_typed() -> None:
    table = _page(("field", "Amount", TEXT), ("button", "Submit", {}))
    for request in ("Enter the value of the total into the field",
                    "Type the number shown above into the text box",
                    "type what the banner says in the field and press Submit",
                    'Enter the value of "Total" into the field',
                    "Fill the amount field with the figure below",
                    "put this into the field"):
        g = ground_request(request, table)
        assert g.steps == [] and g.question is not None and not g.unsettled, request
        assert "exact text" in g.question, request


def test_a_literal_unquoted_value_is_still_typed() -> None:
    table = _page(("field", "Amount", TEXT), ("button", "Submit", {}))
    assert _calls(ground_request("Type 42.50 into the text box and press Submit", table))[0] == (
        "fill_field", {"field": "field1", "value": "42.50"})
    assert _calls(ground_request("Fill the amount field with Kestrel Way", table)) == [
        ("fill_field", {"field": "field1", "value": "Kestrel Way"})]
