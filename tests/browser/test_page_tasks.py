"""Web tasks on the page in front of the user: the installed `lam do --yes --browser-cdp URL`
on a fresh home, attached to a real Chromium showing one of the fixture pages in
``fixtures/tasks`` (served on loopback). The outcome is read from the page itself: each fixture
writes what was done into its title. No planning model is configured: the page's elements
ground the request."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from plugins.browser.chromium import debuggable_chromium
from tests.e2e.conftest import E2E, installed_lam

pytestmark = pytest.mark.browser

NEEDS_ANSWER = 7


@dataclass
class Browser:
    cdp: str
    page: Page


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """The user's Chromium, with a debugging port, and our own view of its one page."""
    with debuggable_chromium(tmp_path_factory.mktemp("profile")) as (cdp, _), \
            sync_playwright() as pw:
        connected = pw.chromium.connect_over_cdp(cdp)
        yield Browser(cdp, connected.contexts[0].pages[0])
        connected.close()


@pytest.fixture
def home(tmp_path: Path) -> E2E:
    """A fresh lam home (as tests/e2e's), no planning model, loopback allowed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAM_", "XDG_"))}
    env.update({"LAM_HOME": str(tmp_path / "lamhome"), "HOME": str(tmp_path / "user"),
                "XDG_CONFIG_HOME": str(tmp_path / "user" / ".config"),
                "XDG_DATA_HOME": str(tmp_path / "user" / "share"),
                "XDG_CACHE_HOME": str(tmp_path / "user" / ".cache")})
    (tmp_path / "work").mkdir()
    home = E2E(home=tmp_path / "lamhome", workdir=tmp_path / "work", env=env)
    home.write_config('[lam]\nmodel = ""\nlarge_model = ""\n\n'
                      '[plugins.browser]\nallow_loopback = true\n')
    return home


def _do(home: E2E, browser: Browser, site: str, page: str,
        request: str) -> subprocess.CompletedProcess[str]:
    browser.page.goto(f"{site}/{page}")
    proc = subprocess.run([installed_lam(), "do", "--yes", "--browser-cdp", browser.cdp,
                           request], env=home.env, capture_output=True, text=True,
                          timeout=120, cwd=str(home.workdir))
    return proc


def _title(browser: Browser, want_prefix: str) -> str:
    """The page's title once the page has written its outcome there (or as it is)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        title = browser.page.title()
        if title.startswith(want_prefix):
            return title
        time.sleep(0.05)
    return browser.page.title()


def _outcome(home: E2E, browser: Browser, site: str, page: str, request: str,
             prefix: str) -> str:
    """Run a request that must succeed; the title the page wrote its outcome to."""
    proc = _do(home, browser, site, page, request)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return _title(browser, prefix)


def test_the_one_text_field_is_filled_and_submitted(home: E2E, browser: Browser,
                                                    site: str) -> None:
    proc = _do(home, browser, site, "textfield.html",
               'Enter "hello" into the text field and press Submit')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _title(browser, "got:") == "got:hello"


def test_a_quoted_label_names_the_button_not_the_phrase(home: E2E, browser: Browser,
                                                        site: str) -> None:
    proc = _do(home, browser, site, "buttons.html", 'Click on the "yes" button.')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _title(browser, "pressed:") == "pressed:yes"


def test_checkboxes_by_label_then_submit(home: E2E, browser: Browser, site: str) -> None:
    proc = _do(home, browser, site, "checkboxes.html", "select A and C then submit")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _title(browser, "ticked:") == "ticked:a,c"


def test_a_tab_by_its_number_and_by_its_ordinal(home: E2E, browser: Browser, site: str) -> None:
    proc = _do(home, browser, site, "tabs.html", "Click on Tab #2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _title(browser, "tab:") == "tab:Tab #2"
    assert browser.page.get_attribute("#t2", "aria-selected") == "true"
    proc = _do(home, browser, site, "tabs.html", "Click the third tab")  # an ordinal of tabs
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _title(browser, "tab:") == "tab:Tab #3"


def test_an_ambiguous_field_is_a_question_and_nothing_runs(home: E2E, browser: Browser,
                                                           site: str) -> None:
    proc = _do(home, browser, site, "twofields.html",
               'Enter "x" into the text field and press Submit')
    assert proc.returncode == NEEDS_ANSWER, proc.stdout + proc.stderr
    assert "First name" in proc.stdout and "Last name" in proc.stdout
    assert browser.page.title() == "Two fields"
    assert browser.page.input_value("#first") == "" and browser.page.input_value("#last") == ""


def test_results_that_appear_after_a_search_are_read_before_the_click(
        home: E2E, browser: Browser, site: str) -> None:
    """The results do not exist when the plan is made: lam runs the search, reads the page
    again, and grounds "the 2nd result" on the page that now exists."""
    proc = _do(home, browser, site, "search.html",
               'Type "cats" into the search box, press Search, then click the 2nd result')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _title(browser, "opened:") == "opened:2"
    assert "then, on the page as it will be" in proc.stdout


def test_a_described_value_is_asked_not_typed(home: E2E, browser: Browser, site: str) -> None:
    proc = _do(home, browser, site, "shownvalue.html",
               "Type the order code shown above into the text field and press Submit")
    assert proc.returncode == NEEDS_ANSWER, proc.stdout + proc.stderr
    assert "exact text" in proc.stdout
    assert browser.page.input_value("#tt") == ""
    assert browser.page.title() == "Shown value"


def test_an_item_in_closed_folders_of_a_tree_is_revealed_then_clicked(
        home: E2E, browser: Browser, site: str) -> None:
    """Each item of a clickable list is an element of its own (named by its own words, not
    its nested list's); a closed folder is opened, the page read again, the next one opened,
    until the item is there."""
    proc = _do(home, browser, site, "tree.html", 'Click on the file named "notes.txt"')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _title(browser, "opened:") == "opened:notes.txt"


def test_an_item_found_by_its_words_is_opened_then_an_icon_is_clicked(
        home: E2E, browser: Browser, site: str) -> None:
    """"Find the message from X": the one row naming X is opened; the page is read again and
    "the archive icon" is the icon (no words, a class) in the opened message."""
    proc = _do(home, browser, site, "inbox.html",
               "Find the message from Tomas Ek and click the archive icon")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _title(browser, "archive:") == "archive:Tomas Ek"


def test_sliders_are_moved_to_the_value_said(home: E2E, browser: Browser, site: str) -> None:
    """An input slider (its value set, with its events) and an ARIA slider (moved by the arrow
    keys, as a user would), each by "select N with the ... slider"."""
    proc = _do(home, browser, site, "sliders.html",
               "Select 7 with the volume slider, then press Save")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _title(browser, "saved:") == "saved:7:1"
    proc = _do(home, browser, site, "sliders.html",
               "Select 4 with the speed slider and press Save")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _title(browser, "saved:") == "saved:2:4"


def test_a_button_inside_the_posts_a_name_picks(home: E2E, browser: Browser, site: str) -> None:
    """Icons that show a pointer only on hover are clickable elements; "on all posts by
    @ines" clicks the one in each post naming @ines (none of the others), "on 1 post by"
    the first of them only."""
    assert _outcome(home, browser, site, "feed.html",
                    'Click the "repost" button on all posts by @ines and then click Done',
                    "done:") == "done:repost:@ines:1,repost:@ines:3"
    assert _outcome(home, browser, site, "feed.html",
                    'Click the "comment" button on 1 post by @ines, then click Done',
                    "done:") == "done:comment:@ines:1"


def test_an_item_in_a_wordless_menu_of_the_post_a_leading_phrase_names(
        home: E2E, browser: Browser, site: str) -> None:
    """"For the user @piotr, click ..." scopes the click to that post; its target sits in a
    closed menu behind a wordless icon, which is opened first (the page read again)."""
    assert _outcome(home, browser, site, "feed.html",
                    'For the user @piotr, click on the "Flag post" button, then click Done',
                    "done:") == "done:flag:@piotr:2"


def test_a_value_selected_for_a_field_that_takes_typing(home: E2E, browser: Browser,
                                                        site: str) -> None:
    """"Select 3 with the guests" fills the field whose words just before it say "Guests:";
    a read-only field that no known widget sets is refused, not forced."""
    proc = _do(home, browser, site, "picker.html", "Select 3 for the guests and hit Save")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _title(browser, "saved:") == "saved:3:fixed"
    proc = _do(home, browser, site, "picker.html", "Select 42 as the code and hit Save")
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "read-only" in proc.stdout + proc.stderr
    assert browser.page.input_value("#code") == "fixed"


def test_text_copied_from_a_field_is_pasted_as_it_was(home: E2E, browser: Browser,
                                                      site: str) -> None:
    """"Copy the text in the text area, paste it into the textbox": the text area's value,
    exactly (its trailing space too), typed into the one-line box; "the last word in the text
    area" reads one word of it. The plan shows the value as read from the page."""
    proc = _do(home, browser, site, "copy.html",
               "Copy the text in the text area, paste it into the textbox and press Save")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "read from the page" in proc.stdout
    assert _title(browser, "saved:") == "saved:[Bring the blue folder to room nine ]"
    assert _outcome(home, browser, site, "copy.html", "Find the last word in the text area, "
                    "type it into the text field and press Save", "saved:") == "saved:[nine]"


def test_a_text_area_scrolled_to_its_end_enables_the_rest(home: E2E, browser: Browser,
                                                          site: str) -> None:
    """"Scroll to the bottom of the text area" scrolls inside the field (its scroll event
    fires); the page is read again, so the fields it enabled are typed into and pressed."""
    proc = _do(home, browser, site, "agreement.html",
               'Scroll to the bottom of the text area, enter "Ada" in the name field, '
               'then press Agree')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _title(browser, "agreed:") == "agreed:Ada"


def test_a_mail_found_then_replied_to_and_forwarded(home: E2E, browser: Browser,
                                                    site: str) -> None:
    """"Find the email by X and reply to them with the text "..."": the row opened, its Reply
    (one of two words side by side in one clickable box) pressed, the text typed in the
    message box that opens, its send icon pressed; "forward that email to Y" types Y in the
    "to" field instead. Each part is grounded on the page as it is then."""
    assert _outcome(home, browser, site, "mail.html",
                    'Find the email by Ezra Quint and reply to them with the text "See you there"',
                    "sent:") == "sent:reply:Ezra Quint:See you there"
    assert _outcome(home, browser, site, "mail.html",
                    "Find the email from Lena Brandt and forward that email to Mika",
                    "sent:") == "sent:forward:Lena Brandt:Mika"


def test_a_first_verb_of_mail_is_not_read_as_a_page_task(home: E2E, browser: Browser,
                                                         site: str) -> None:
    """"Reply ..." as the request's first verb is lam's own messaging, not the page's Reply:
    nothing on the page is pressed."""
    proc = _do(home, browser, site, "mail.html", 'Reply to Ezra Quint with the text "ok"')
    assert browser.page.title() == "Mail", proc.stdout + proc.stderr


def test_a_form_filled_part_by_part_in_one_request(home: E2E, browser: Browser,
                                                   site: str) -> None:
    """"fill the form: first name X, last name Y, then submit": the page's grounding leaves
    it to the planner, whose form stage pairs each value with the field its words name."""
    assert _outcome(home, browser, site, "twofields.html",
                    "fill the form: first name Ines, last name Lago, then submit",
                    "sent:") == "sent:Ines/Lago"
