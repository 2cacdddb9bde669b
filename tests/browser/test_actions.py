"""Each browser action against real headless Chromium and a local site."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from actions import ActionContext
from plugins.browser import BrowserPlugin
from tests.browser.conftest import TEST_TIMEOUT_MS, Runner
from tests.browser.site import Site

pytestmark = pytest.mark.browser


def test_open_url_publishes_page_entities(act: Runner, good: Site) -> None:
    res = act.ok("open_url", url=good.url("/list.html"))
    assert res.output["title"] == "Reading list"
    links = [e for e in res.entities if e.type == "link"]
    assert [e.ordinal for e in links] == list(range(1, len(links) + 1))
    third = next(e for e in links if e.ordinal == 3)
    assert third.id == "link3"
    assert third.attributes["text"] == "Second article"  # "Home" is the first link
    assert third.attributes["url"] == good.url("/article/2")
    for ent in res.entities:
        assert ent.scope.value == "screen"
        assert not ent.provenance.trusted
        assert ent.provenance.source == f"page {good.url('/list.html')}"
    types = {e.type for e in res.entities}
    assert {"page", "link", "button", "heading"} <= types
    headings = [e.label for e in res.entities if e.type == "heading"]
    assert headings[:2] == ["Reading list", "Articles"]
    assert res.output["links"][2] == {"id": "link3", "text": "Second article",
                                      "url": good.url("/article/2")}
    assert "Three articles worth reading" in res.output["text"]


def test_open_then_open_third_link(act: Runner, good: Site) -> None:
    act.ok("open_url", url=good.url("/list.html"))
    res = act.ok("open_link", link="link3")
    assert res.output["url"] == good.url("/article/2")
    assert res.output["title"] == "Article 2"
    spec = act.specs["open_link"]
    step = spec.undo_step(spec.params.model_validate({"link": "link3"}), res)
    assert step is not None and step.action == "go_back"
    back = act.ok("go_back")
    assert back.output["url"] == good.url("/list.html")


def test_open_link_without_context_uses_last_page(plugin: BrowserPlugin, good: Site) -> None:
    """A plan step may name link3 before the page is opened: the plugin resolves it."""
    plugin.new_task()
    specs = {s.name: s for s in plugin.actions()}
    ctx = ActionContext()
    spec = specs["open_url"]
    assert spec.run(ctx, spec.params.model_validate({"url": good.url("/list.html")})).ok
    link = specs["open_link"]
    assert link.check_preconditions(ctx, link.params.model_validate({"link": "link3"})) == []
    res = link.run(ctx, link.params.model_validate({"link": "link3"}))
    assert res.ok, res.error
    assert res.output["url"] == good.url("/article/2")


def test_click_by_entity_and_by_text(act: Runner, good: Site) -> None:
    act.ok("open_url", url=good.url("/list.html"))
    res = act.ok("click", target="link2")
    assert res.output["url"] == good.url("/article/1")
    assert res.output["navigated"] is True
    act.ok("go_back")
    res = act.ok("click", target="Press me")
    assert res.output["navigated"] is False
    assert act.ok("read_page").output["text"].find("pressed") >= 0
    res = act.ok("click", target="Third article")
    assert res.output["title"] == "Article 3"


def test_click_survives_rerender(act: Runner, good: Site) -> None:
    act.ok("open_url", url=good.url("/list.html"))
    scope = dict(act.scope)
    act.ok("click", target="Shuffle styles")  # replaces every <li>, inserts a new first item
    act.scope = scope  # the user still refers to what they read before
    res = act.ok("click", target="link4")  # "Third article", now the fourth <a> on the page
    assert res.output["title"] == "Article 3"


def test_duplicate_names_keep_their_index(act: Runner, good: Site) -> None:
    res = act.ok("open_url", url=good.url("/list.html"))
    more = [e for e in res.entities if e.type == "link" and e.label == "Read more"]
    assert [e.attributes["role_index"] for e in more] == [0, 1]
    out = act.ok("click", target=more[1].id)
    assert out.output["title"] == "Article 5"


def test_stale_entity_is_refused(act: Runner, good: Site) -> None:
    act.ok("open_url", url=good.url("/list.html"))
    old = dict(act.scope)
    act.ok("open_url", url=good.url("/form.html"))
    act.scope = old
    res = act("click", target="link3")
    assert not res.ok
    assert "read the page again" in (res.error or "")


def test_click_on_missing_element_fails_fast(act: Runner, good: Site) -> None:
    act.ok("open_url", url=good.url("/list.html"))
    start = time.monotonic()
    res = act("click", target="No such button anywhere")
    assert not res.ok and "nothing called" in (res.error or "")
    assert time.monotonic() - start < TEST_TIMEOUT_MS / 1000 * 2


def test_form_fill_select_tick_submit(act: Runner, good: Site) -> None:
    res = act.ok("open_url", url=good.url("/form.html"))
    fields = {e.attributes.get("name"): e for e in res.entities if e.type == "field"}
    assert fields["email"].attributes["label"] == "Email"
    assert fields["email"].attributes["kind"] == "email"
    assert fields["name"].attributes["label"] == "Your name"
    assert fields["country"].attributes["options"][1] == "France"
    filled = act.ok("fill_field", field=fields["name"].id, value="Ada Lovelace")
    assert filled.output["value"] == "Ada Lovelace"
    act.ok("fill_field", field="Email", value="ada@example.org")  # by label text
    act.ok("fill_field", field="password", value="s3cret")  # by name; value not echoed
    act.ok("fill_field", field="Message", value="Hello\nthere")
    sel = act.ok("select_option", field="Country", option="Japan")
    assert sel.output["selected"] == "Japan"
    tick = act.ok("set_checkbox", field="newsletter", checked=True)
    assert tick.output["checked"] is True
    sent = act.ok("submit_form")  # the form of the field used last
    assert sent.output["title"] == "Received"
    table = next(e for e in sent.entities if e.type == "table")
    rows = act.ok("extract_table", table=table.id).output["rows"]
    got = dict(rows)
    assert got == {"name": "Ada Lovelace", "email": "ada@example.org", "password": "s3cret",
                   "country": "jp", "newsletter": "yes", "message": "Hello there", "cv": ""}
    assert "/echo" in good.hits[-1]


def test_fill_postcondition_and_inverse(act: Runner, good: Site) -> None:
    act.ok("open_url", url=good.url("/form.html"))
    act.ok("fill_field", field="name", value="first")
    res = act.ok("fill_field", field="name", value="second")
    spec = act.specs["fill_field"]
    params = spec.params.model_validate({"field": "name", "value": "second"})
    undo = spec.undo_step(params, res)
    assert undo is not None and undo.args["value"] == "first"
    wrong = spec.params.model_validate({"field": "name", "value": "other"})
    assert spec.check_postconditions(ActionContext(), wrong, res)


def test_password_value_not_echoed(act: Runner, good: Site) -> None:
    act.ok("open_url", url=good.url("/form.html"))
    res = act.ok("fill_field", field="Password", value="hunter2")
    assert "hunter2" not in res.message and "value" not in res.output
    assert res.output["value_ok"] is True


def test_submit_by_button_text(act: Runner, good: Site) -> None:
    act.ok("open_url", url=good.url("/form.html"))
    act.ok("fill_field", field="q", value="pancakes")
    res = act.ok("submit_form", target="Search")
    assert res.output["url"] == good.url("/echo?q=pancakes")


def test_select_missing_option_lists_choices(act: Runner, good: Site) -> None:
    act.ok("open_url", url=good.url("/form.html"))
    res = act("select_option", field="country", option="Atlantis")
    assert not res.ok and "France" in (res.error or "")


def test_read_page_tables_and_extract(act: Runner, good: Site) -> None:
    act.ok("open_url", url=good.url("/table.html"))
    res = act.ok("read_page")
    tables = [e for e in res.entities if e.type == "table"]
    assert [t.label for t in tables] == ["Fruit prices", "Day, Open"]
    out = act.ok("extract_table", table="table1").output
    assert out["headers"] == ["Fruit", "Price", "Stock"]
    assert out["rows"] == [["Apple", "1.20", "40"], ["Banana", "0.50", "120"],
                           ["Cherry", "4.00", "8"]]


def test_scroll_and_screenshot(act: Runner, good: Site, tmp_path: Path) -> None:
    act.ok("open_url", url=good.url("/list.html"))
    down = act.ok("scroll", direction="down").output
    assert down["scroll_y"] > 0
    bottom = act.ok("scroll", direction="bottom").output
    assert bottom["at_bottom"] is True
    assert act.ok("scroll", direction="top").output["scroll_y"] == 0
    shot = act.ok("screenshot", path=str(tmp_path / "page.png")).output
    assert Path(shot["path"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    auto = act.ok("screenshot").output
    assert Path(auto["path"]).is_file()
    assert Path(auto["path"]).parent == act.plugin.files_dir().resolve()


def test_popup_becomes_current_page(act: Runner, good: Site) -> None:
    act.ok("open_url", url=good.url("/popup.html"))
    res = act.ok("click", target="Open in a new tab")
    assert res.output["popup"] is True and res.output["title"] == "Article 7"
    res = act.ok("open_url", url=good.url("/popup.html"))
    res = act.ok("click", target="Open a window")
    assert res.output["title"] == "Article 8"


def test_slow_page_loads_within_timeout(act: Runner, good: Site) -> None:
    res = act.ok("open_url", url=good.url("/slow?ms=800"))
    assert res.output["title"] == "Slow page"


def test_never_loading_page_fails_in_time(act: Runner, good: Site) -> None:
    start = time.monotonic()
    res = act("open_url", url=good.url("/never"))
    took = time.monotonic() - start
    assert not res.ok
    assert f"did not load within {TEST_TIMEOUT_MS} ms" in (res.error or "")
    assert took < TEST_TIMEOUT_MS / 1000 + 5
    assert act.ok("open_url", url=good.url("/list.html")).output["title"] == "Reading list"


def test_unreachable_host_fails_cleanly(act: Runner) -> None:
    res = act("open_url", url="http://127.0.0.1:9/")
    assert not res.ok and res.error


def test_go_back_without_history_fails(act: Runner) -> None:
    res = act("go_back")
    assert not res.ok


def test_handlers_callable_from_any_thread(plugin: BrowserPlugin, good: Site) -> None:
    plugin.new_task()
    specs = {s.name: s for s in plugin.actions()}
    results: list[bool] = []

    def worker(path: str) -> None:
        spec = specs["open_url"]
        res = spec.run(ActionContext(), spec.params.model_validate({"url": good.url(path)}))
        results.append(res.ok)

    threads = [threading.Thread(target=worker, args=(p,))
               for p in ("/list.html", "/form.html", "/table.html")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [True, True, True]


def test_control_permissive_settings_do_reach_other_hosts(act: Runner, good: Site,
                                                          evil: Site) -> None:
    """Control for test_safety: with empty lists the leaky page does reach 127.0.0.2, so the
    safety tests' "no hits" is the policy's doing, not the fixture's."""
    res = act.ok("open_url", url=good.url("/leaky.html"))
    assert res.output["blocked"] == []
    assert "/pixel.png" in evil.hits and "/redirected-pixel.png" in evil.hits
