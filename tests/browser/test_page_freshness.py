"""After a step changes the page, the table holds the new page only: a kind of element the new
page lacks is gone, not kept from the old page (real Chromium, lam's own browser, in process)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from actions.plan import PlanKind
from assistant.runtime import Runtime, RuntimeOptions
from assistant.session import Session
from assistant.verify import blocking


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "plugins.toml").write_text("[plugins.browser]\nallow_loopback = true\n")
    rt = Runtime(RuntimeOptions(home=str(home)))
    try:
        yield Session(rt)
    finally:
        rt.close()


def test_links_of_the_old_page_are_gone_after_navigating(session: Session, site: str) -> None:
    opened = session.propose(f"open {site}/twolinks.html")
    assert [s.action for s in opened.plan.steps] == ["open_url"], opened.plan
    assert session.run(opened).ok
    assert [e.label for e in session.table.listed("link")] == ["A page without links",
                                                                "One field"]
    clicked = session.propose('click the "A page without links" link')
    assert clicked.plan.steps, clicked.plan
    assert session.run(clicked).ok
    assert session.table.listed("link") == []  # the step's own page read, not the old links
    again = session.propose("click the first link")
    assert again.plan.kind is PlanKind.QUESTION or blocking(again.violations), again.plan
