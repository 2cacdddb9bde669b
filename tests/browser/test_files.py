"""Downloads into quarantine when enabled, uploads only from the upload folder, the denied
list with an otherwise open policy, and the configurable search engine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from actions import Plan, Provenance, Step, ValueSource, Violation
from assistant.registry import ActionRegistry
from assistant.verify import Verifier
from plugins.browser import BrowserPlugin
from tests.browser.conftest import Runner, make_plugin
from tests.browser.site import Site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def upload_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("uploads")
    (folder / "cv.txt").write_text("my cv")
    return folder


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory, upload_dir: Path,
           good: Site) -> Iterator[BrowserPlugin]:
    p = make_plugin(tmp_path_factory.mktemp("files"), downloads=True,
                    upload_dir=str(upload_dir), denied_domains=["127.0.0.2"],
                    search_url=good.url("/echo?q={query}"))
    yield p
    p.close()


def test_download_goes_to_quarantine(act: Runner, good: Site) -> None:
    act.ok("open_url", url=good.url("/tricks.html"))
    res = act.ok("click", target="Download report")
    (item,) = res.output["downloads"]
    assert item["status"] == "saved"
    saved = Path(item["file"])
    assert saved.parent == act.plugin.caps.data_dir / "quarantine"
    assert saved.read_text() == "fruit,price\napple,1.20\n"
    again = act.ok("click", target="Download report").output["downloads"][0]
    assert Path(again["file"]) != saved and Path(again["file"]).is_file()


def test_upload_only_from_upload_dir(act: Runner, good: Site, upload_dir: Path,
                                     tmp_path: Path) -> None:
    act.ok("open_url", url=good.url("/form.html"))
    ok = act.ok("upload_file", field="CV", path="cv.txt")
    assert ok.output["file"] == str((upload_dir / "cv.txt").resolve())
    files = act.plugin._session.run(
        lambda drv: drv.page.locator("#cv").evaluate("el => el.files[0].name"))
    assert files == "cv.txt"
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    for path in (str(outside), "../" + outside.name, f"../{tmp_path.name}/secret.txt"):
        res = act("upload_file", field="CV", path=path)
        assert not res.ok and "outside the upload folder" in (res.error or ""), path
    link = upload_dir / "escape.txt"
    link.symlink_to(outside)
    res = act("upload_file", field="CV", path="escape.txt")
    assert not res.ok and "outside the upload folder" in (res.error or "")


def test_denied_domain_with_open_allow_list(act: Runner, good: Site, evil: Site) -> None:
    res = act("open_url", url=evil.url("/article/1"))
    assert not res.ok and "denied" in (res.error or "")
    page = act.ok("open_url", url=good.url("/leaky.html"))
    assert page.output["blocked"]
    assert evil.hits == []


def test_search_web_uses_the_configured_engine(act: Runner, good: Site) -> None:
    res = act.ok("search_web", query="lam & browsers?")
    assert res.output["url"] == good.url("/echo?q=lam+%26+browsers%3F")
    rows = act.ok("extract_table", table="table1").output["rows"]
    assert rows == [["q", "lam & browsers?"]]


def test_persistent_profile_keeps_state(tmp_path: Path, good: Site) -> None:
    profile = tmp_path / "profile"
    for round_ in range(2):
        p = make_plugin(tmp_path / f"data{round_}", profile_dir=str(profile))
        try:
            act = Runner(p)
            act.ok("open_url", url=good.url("/list.html"))
            seen = p._session.run(lambda drv: drv.page.evaluate(
                "() => { const v = localStorage.getItem('visits') || '0';"
                " localStorage.setItem('visits', String(Number(v) + 1)); return v; }"))
        finally:
            p.close()
        assert seen == str(round_)


# -- files written: inside files_dir, anywhere else only when the user confirms ----------------
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _verify(plugin: BrowserPlugin, path: str,
            source: ValueSource | None = None) -> list[Violation]:
    """What lam's verifier says about a plan that takes a screenshot to ``path``."""
    registry = ActionRegistry()
    for spec in plugin.actions():
        registry.add(spec)
    step = Step(action="screenshot", args={"path": path},
                sources={"path": source} if source else {})
    return Verifier(registry).verify(Plan(steps=[step]), {}, NOW)


def test_screenshots_are_written_inside_files_dir(act: Runner, good: Site) -> None:
    act.ok("open_url", url=good.url("/list.html"))
    out = act.ok("screenshot", path="shots/list").output
    folder = act.plugin.files_dir().resolve()
    assert Path(out["path"]) == folder / "shots" / "list.png" and Path(out["path"]).is_file()
    assert _verify(act.plugin, "shots/list") == []  # inside the folder: nothing to ask


@pytest.mark.parametrize("path", ["../escape.png", "shots/../../escape.png", "~/shot.png",
                                  "/tmp/lam-elsewhere.png"])
def test_screenshot_outside_files_dir_asks_showing_the_resolved_path(
        plugin: BrowserPlugin, path: str) -> None:
    resolved = plugin._screenshot_path(path)
    assert not resolved.is_relative_to(plugin.files_dir().resolve())
    (violation,) = _verify(plugin, path)
    assert violation.needs_confirmation, violation
    assert f"writes {resolved}, outside lam's folder" in violation.message


def test_a_link_out_of_files_dir_counts_as_outside(plugin: BrowserPlugin,
                                                    tmp_path: Path) -> None:
    folder = plugin.files_dir()
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "out"
    if not link.is_symlink():
        link.symlink_to(tmp_path, target_is_directory=True)
    (violation,) = _verify(plugin, "out/shot.png")
    assert violation.needs_confirmation
    assert str(tmp_path.resolve() / "shot.png") in violation.message


def test_screenshot_path_from_untrusted_text_always_asks(plugin: BrowserPlugin) -> None:
    page = ValueSource(kind="entity", entity_id="link2",
                       provenance=Provenance.untrusted("page http://127.0.0.1/list.html"))
    (violation,) = _verify(plugin, "inside.png", page)  # inside the folder, still asked
    assert violation.needs_confirmation and violation.param == "path"
    assert "page http://127.0.0.1/list.html" in violation.message
