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


def test_a_name_picks_the_items_whose_element_is_clicked() -> None:
    """"on all posts by @ann" / "on 1 post by" / a leading "For the user @ann,": the element
    inside the items naming @ann; a count the page cannot meet is a question."""
    icon = {"url": "", "clickable": True, "icon": True}
    table = _page(*[("link", "reply", {**icon, "within": f"{who} post {i}"})
                    for i, who in enumerate(["Ann @ann", "Bo @bo", "Ann @ann"], start=1)],
                  ("button", "Submit", {}))
    g = ground_request('Click the "reply" button on all posts by @ann and then click Submit',
                       table)
    assert _calls(g) == [("click", {"target": "link1"}), ("click", {"target": "link3"})]
    g = ground_request('Click the "reply" button on 1 post by @ann', table)
    assert _calls(g) == [("click", {"target": "link1"})]
    g = ground_request('For the user @bo, click on the "reply" button', table)
    assert _calls(g) == [("click", {"target": "link2"})]
    asked = ground_request('Click the "reply" button on 3 posts by @ann', table)
    assert asked.steps == [] and asked.question is not None
    assert read_clauses("For the record, I want this fixed") is None


def test_reply_and_forward_only_after_a_page_clause() -> None:
    clauses = read_clauses('Find the email by Ann and reply to her with the text "ok"')
    assert clauses is not None
    assert [(c.kind, c.obj) for c in clauses] == [
        ("explore", "the email by Ann"), ("click", "reply"), ("enter", '"ok"'),
        ("click", "send")]
    clauses = read_clauses("Find the email by Ann and forward that email to Bo")
    assert clauses is not None
    assert [(c.kind, c.obj) for c in clauses][1:] == [
        ("click", "forward"), ("enter", '"Bo" into the "to" field'), ("click", "send")]
    assert read_clauses('Reply to Ann with the text "ok"') is None
    assert read_clauses("Forward the invoice to Bo") is None


def test_a_value_selected_for_a_typed_field_and_copied_text() -> None:
    table = _page(("field", "spinner", {"kind": "text", "id": "spinner"}),
                  ("field", "Notes", {"kind": "textarea", "value": "alpha beta gamma "}),
                  ("field", "Answer", {"kind": "text"}), ("button", "Submit", {}))
    g = ground_request("Select -2 with the spinner and hit Submit", table)
    assert _calls(g) == [("fill_field", {"field": "field1", "value": "-2"}),
                         ("click", {"target": "button1"})]
    g = ground_request("Copy the text in the text area, paste it into the answer", table)
    assert _calls(g) == [("fill_field", {"field": "field3", "value": "alpha beta gamma "})]
    assert g.steps[0].sources["value"].provenance.trusted is False
    g = ground_request("Find the last word in the text area, type it into the answer", table)
    assert _calls(g) == [("fill_field", {"field": "field3", "value": "gamma"})]


def test_scrolling_the_page_or_a_field() -> None:
    table = _page(("field", "Terms", {"kind": "textarea"}), ("button", "Agree", {}))
    g = ground_request("Scroll to the bottom of the text area, then press Agree", table)
    assert _calls(g) == [("scroll", {"direction": "bottom", "field": "field1"})]
    assert [c.text for c in g.rest] == ["press Agree"]
    assert _calls(ground_request("scroll down", table)) == [("scroll", {"direction": "down"})]
