"""The browser plugin: actions over a Playwright-driven Chromium, launched lazily or attached.

Effect classes: opening, reading, scrolling, going back and extracting are ``read_only``;
filling, selecting, ticking and screenshots are ``local_write`` (they change the page or a
local file, nothing leaves the machine until a submit); ``click`` (a click may send or buy),
``submit_form`` and ``upload_file`` are ``external_send``. Screenshots are written inside
``files_dir``; a path outside it (or one that came from untrusted text) asks the user first,
showing the resolved path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote_plus

from pydantic import BaseModel

from actions import (
    ActionContext,
    ActionResult,
    ActionSpec,
    Capabilities,
    Condition,
    Effect,
    Entity,
    EntityRef,
    LongText,
    Plugin,
    Sensitive,
    ShortText,
    Step,
    Url,
    action,
)
from actions.files import output_path, writes_inside
from plugins.browser.chromium import missing_browser_hint
from plugins.browser.errors import BrowserFailure, first_line
from plugins.browser.page_model import ENTITY_TYPES
from plugins.browser.session import BrowserSession
from plugins.browser.settings import BrowserSettings
from plugins.browser.url_policy import UrlPolicy

if TYPE_CHECKING:
    from plugins.browser.driver import Driver

__all__ = ["BrowserPlugin"]

_PAGE_ENTITIES = list(ENTITY_TYPES)
_LOCAL_HOST = re.compile(r"^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(/|$)")


def _normalize_url(url: str) -> str:
    """``example.com/x`` -> ``https://example.com/x``; loopback hosts get ``http://``."""
    url = url.strip()
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) and not re.match(r"^[^/:]+:\d+", url):
        return url
    return ("http://" if _LOCAL_HOST.match(url) else "https://") + url


# -- conditions (pure: they read the step's arguments, context and result only) ---------------
def _entity_or_id(kind: str, param: str) -> Condition:
    def check(ctx: ActionContext, params: BaseModel) -> str | None:
        ref = str(getattr(params, param))
        ent = ctx.entity(ref)
        if ent is not None:
            return None if ent.type == kind else f"{ref} is a {ent.type}, not a {kind}"
        if re.fullmatch(rf"{kind}\d+", ref):
            return None  # published by an earlier step of the plan (open_url -> link3)
        return f"no {kind} {ref!r} in scope"
    return Condition(name=f"{param}_is_{kind}", check=check,
                     description=f"{param} names a {kind} on the page")


def _loaded(ctx: ActionContext, params: BaseModel, result: ActionResult) -> str | None:
    url = str(result.output.get("url", ""))
    if not url.startswith(("http://", "https://")):
        return f"the browser is on {url or 'nothing'}, not a web page"
    return None


def _left_page(ctx: ActionContext, params: BaseModel, result: ActionResult) -> str | None:
    if result.output.get("url") == result.output.get("previous_url"):
        return "the page did not change"
    return None


def _holds_value(ctx: ActionContext, params: BaseModel, result: ActionResult) -> str | None:
    want = getattr(params, "value", None)
    if "converted" in result.output and result.output.get("typed") == want:
        want = result.output["converted"]  # a date written another way, typed as ISO
    if "value" in result.output and result.output["value"] != want:
        return f"the field holds {result.output['value']!r}"
    return None if result.output.get("value_ok") else "the field does not hold the value"


def _focused(ctx: ActionContext, params: BaseModel, result: ActionResult) -> str | None:
    return None if result.output.get("focused") else "the field does not have the focus"


def _checked_as_asked(ctx: ActionContext, params: BaseModel,
                      result: ActionResult) -> str | None:
    want = getattr(params, "checked", True)
    return None if result.output.get("checked") == want else f"the box is not {want}"


def _selected(ctx: ActionContext, params: BaseModel, result: ActionResult) -> str | None:
    want = str(getattr(params, "option", "")).lower()
    got = [str(result.output.get(k, "")).lower() for k in ("selected", "value")]
    return None if any(want and want in g for g in got) else f"selected {got[0]!r}"


def _file_written(ctx: ActionContext, params: BaseModel, result: ActionResult) -> str | None:
    path = result.output.get("path")
    return None if path and Path(path).is_file() else "no screenshot file was written"


LOADED = Condition(name="page_loaded", check=_loaded, description="the browser shows a web page")
LEFT_PAGE = Condition(name="page_changed", check=_left_page, description="the URL changed")
HOLDS_VALUE = Condition(name="field_holds_value", check=_holds_value,
                        description="the field holds the value typed")


# -- inverses --------------------------------------------------------------------------------
def _back(params: BaseModel, result: ActionResult) -> Step | None:
    return Step(action="go_back") if result.output.get("navigated", True) else None


def _refill(params: BaseModel, result: ActionResult) -> Step | None:
    if "previous" not in result.output:
        return None
    return Step(action="fill_field", args={"field": result.output["field"],
                                           "value": result.output["previous"]})


def _untick(params: BaseModel, result: ActionResult) -> Step | None:
    return Step(action="set_checkbox", args={"field": result.output["field"],
                                             "checked": result.output.get("previous", False)})


def _reselect(params: BaseModel, result: ActionResult) -> Step | None:
    prev = result.output.get("previous")
    return Step(action="select_option", args={"field": result.output["field"],
                                              "option": prev}) if prev else None


class BrowserPlugin(Plugin):
    """Browse the web: open, search, read, click, fill and submit, with a URL policy."""

    name = "browser"
    settings_model = BrowserSettings

    def __init__(self, caps: Capabilities) -> None:
        super().__init__(caps)
        settings: BrowserSettings = caps.settings  # type: ignore[assignment]
        self._settings = settings
        self._policy: UrlPolicy = settings.policy(str(caps.extras.get("config_file") or ""))
        cdp = str(caps.extras.get("browser_cdp") or settings.cdp_url or "")
        self._session = BrowserSession(settings, caps.data_dir, cdp, self._policy)

    def actions(self) -> list[ActionSpec]:
        specs = super().actions()
        inside = writes_inside(self.files_dir,
                               lambda params: self._screenshot_path(params.model_dump()["path"]))
        for spec in specs:
            if spec.name == "screenshot":
                spec.preconditions = [*spec.preconditions, inside]
        return specs

    def files_dir(self) -> Path:
        """The folder screenshots go to (``files_dir``, else ``<plugin data>/files``)."""
        configured = self._settings.files_dir
        return Path(configured).expanduser() if configured else self.caps.data_dir / "files"

    # -- hooks for lam -------------------------------------------------------------------------
    def url_allowed(self, url: str) -> str | None:
        """None when the browser may load ``url``, else why not (used by lam's verifier)."""
        return self._policy.check(_normalize_url(url))

    def screen_entities(self) -> list[Entity]:
        """The open page as on-screen entities, read now (lam reads them before planning):
        the attached browser's current page, or lam's own browser once a page is open.
        Nothing when no page is open or the URL policy refuses the page."""
        if not (self._session.cdp_url or self._session.started):
            return []

        def read(drv: Driver) -> list[Entity]:
            url = drv.page.url
            if not url.startswith(("http://", "https://")) or self._policy.check(url):
                return []
            return drv.read().entities()
        try:
            return self._session.run(read)
        except (BrowserFailure, TimeoutError, ImportError):
            return []

    def doctor(self) -> list[str]:
        if self._session.cdp_url:
            return []
        return missing_browser_hint(self._settings.executable)

    def new_task(self) -> None:
        """Start the next task in a fresh browser context (no cookies, no history)."""
        if self._session.started:
            self._session.run(lambda drv: drv.new_task())

    def close(self) -> None:
        self._session.close()

    def _run(self, fn: Callable[[Driver], ActionResult]) -> ActionResult:
        try:
            return self._session.run(fn)
        except BrowserFailure as exc:
            return ActionResult.fail(str(exc))
        except TimeoutError as exc:
            return ActionResult.fail(str(exc))
        except ImportError as exc:
            return ActionResult.fail(f"the browser needs Playwright: {exc}; "
                                     "`pip install playwright`")
        except Exception as exc:
            if type(exc).__module__.startswith("playwright"):
                return ActionResult.fail(f"browser error: {first_line(exc)}")
            raise

    # -- actions -------------------------------------------------------------------------------
    @action(prompt_example=1, effect=Effect.READ_ONLY,
            templates=["open {url}", "go to {url}", "(visit|browse to|take me to) {url}",
                       "open the page {url}"],
            postconditions=[LOADED], inverse=_back, produces=_PAGE_ENTITIES)
    def open_url(self, ctx: ActionContext, url: Sensitive(Url)) -> ActionResult:  # type: ignore[valid-type]
        """Open a web page in the browser and list its links, buttons and fields.

        Args:
            url: the address to open, e.g. https://example.com/news
        """
        target = _normalize_url(url)
        reason = self._policy.check(target)
        if reason:
            return ActionResult.fail(f"blocked: {target}: {reason}")
        from plugins.browser import ops
        return self._run(lambda drv: ops.open_url(drv, target))

    @action(effect=Effect.READ_ONLY,
            templates=["search the web for {query}", "search for {query}",
                       "(google|look up) {query}", "web search {query}"],
            postconditions=[LOADED], inverse=_back, produces=_PAGE_ENTITIES)
    def search_web(self, ctx: ActionContext, query: ShortText) -> ActionResult:
        """Search the web (the configured search engine) and list the results page's links.

        Args:
            query: the words to search for
        """
        from plugins.browser import ops
        target = self._settings.search_url.replace("{query}", quote_plus(query))
        return self._run(lambda drv: ops.open_url(drv, target, verb="searched"))

    @action(prompt_example=2, effect=Effect.READ_ONLY,
            templates=["read (the|this) page", "what is on (the|this) page",
                       "(summarize|summarise) (the|this) page", "show the links"],
            consumes=["page"], produces=_PAGE_ENTITIES)
    def read_page(self, ctx: ActionContext) -> ActionResult:
        """Read the open page: title, main text, headings, links, buttons, fields and tables."""
        from plugins.browser import ops
        return self._run(ops.read_page)

    @action(prompt_example=0, effect=Effect.READ_ONLY,
            templates=["open {link}", "follow {link}", "open the link {link}",
                       "(click|go) through to {link}"],
            preconditions=[_entity_or_id("link", "link")], postconditions=[LOADED],
            inverse=_back, consumes=["link"], produces=_PAGE_ENTITIES)
    def open_link(self, ctx: ActionContext, link: EntityRef("link")) -> ActionResult:  # type: ignore[valid-type]
        """Open the address a link on the page points to (the third link, the "Docs" link).

        Args:
            link: id of a link entity on the page, e.g. link3
        """
        from plugins.browser import ops
        entity = ctx.entity(link)

        def run(drv: Driver) -> ActionResult:
            attrs = ops.entity_attrs(drv, link, entity, ("link",), live=False)
            if attrs is None or not attrs.get("url"):
                raise BrowserFailure(f"no link {link!r} on the page; read the page first")
            return ops.open_url(drv, str(attrs["url"]))
        return self._run(run)

    @action(effect=Effect.EXTERNAL_SEND,
            templates=["click {target}", "click on {target}", "(press|hit|tap) {target}"],
            inverse=_back, consumes=["page"], produces=_PAGE_ENTITIES)
    def click(self, ctx: ActionContext, target: ShortText) -> ActionResult:
        """Click an element: a link, button or field by entity id, or by its visible text.

        Args:
            target: an entity id on the page (button2, link3) or the element's visible text
        """
        from plugins.browser import ops
        entity = ctx.entity(target)
        return self._run(lambda drv: ops.click(drv, target, entity))

    @action(effect=Effect.LOCAL_WRITE,
            templates=["(fill|fill in) {field} with {value}",
                       "(type|enter) {value} (in|into) {field}", "set {field} to {value}"],
            postconditions=[HOLDS_VALUE], inverse=_refill, consumes=["field"])
    def fill_field(self, ctx: ActionContext, field: EntityRef("field"),  # type: ignore[valid-type]
                   value: LongText) -> ActionResult:
        """Type a value into a form field (nothing is sent until the form is submitted).

        Args:
            field: id of a field entity (field2), or the field's label or name
            value: the text to put in the field
        """
        from plugins.browser import ops
        entity = ctx.entity(field)
        return self._run(lambda drv: ops.fill_field(drv, field, entity, value))

    @action(effect=Effect.LOCAL_WRITE,
            templates=["focus (on|in|into) {field}"],
            postconditions=[Condition(name="field_focused", check=_focused)],
            consumes=["field"])
    def focus_field(self, ctx: ActionContext, field: EntityRef("field")) -> ActionResult:  # type: ignore[valid-type]
        """Put the keyboard focus in a form field (nothing is typed).

        Args:
            field: id of a field entity (field2), or the field's label or name
        """
        from plugins.browser import ops
        entity = ctx.entity(field)
        return self._run(lambda drv: ops.focus_field(drv, field, entity))

    @action(effect=Effect.LOCAL_WRITE,
            templates=["(select|choose|pick) {option} (in|from) {field}"],
            postconditions=[Condition(name="option_selected", check=_selected)],
            inverse=_reselect, consumes=["field"])
    def select_option(self, ctx: ActionContext, field: EntityRef("field"),  # type: ignore[valid-type]
                      option: ShortText) -> ActionResult:
        """Choose an option of a drop-down field, by its text or value.

        Args:
            field: id of a select field entity, or its label or name
            option: the option's visible text (or value)
        """
        from plugins.browser import ops
        entity = ctx.entity(field)
        return self._run(lambda drv: ops.select_option(drv, field, entity, option))

    @action(effect=Effect.LOCAL_WRITE,
            templates=["(tick|check) {field}"],
            postconditions=[Condition(name="box_as_asked", check=_checked_as_asked)],
            inverse=_untick, consumes=["field"])
    def set_checkbox(self, ctx: ActionContext, field: EntityRef("field"),  # type: ignore[valid-type]
                     checked: bool = True) -> ActionResult:
        """Tick (or untick) a checkbox or choose a radio button.

        Args:
            field: id of a checkbox/radio field entity, or its label or name
            checked: true to tick, false to untick
        """
        from plugins.browser import ops
        entity = ctx.entity(field)
        return self._run(lambda drv: ops.set_checkbox(drv, field, entity, checked))

    @action(effect=Effect.EXTERNAL_SEND,
            templates=["submit [the|this|that] form", "submit {target}",
                       "send [the|this|that] form"],
            postconditions=[LOADED], consumes=["page"], produces=_PAGE_ENTITIES)
    def submit_form(self, ctx: ActionContext, target: ShortText = "") -> ActionResult:
        """Submit a form: press its button, or submit the enclosing form of a field (default:
        the form of the field filled last, or the page's only form).

        Args:
            target: a button or field entity id, a button's text, or empty
        """
        from plugins.browser import ops
        entity = ctx.entity(target) if target else None
        return self._run(lambda drv: ops.submit_form(drv, target, entity))

    @action(effect=Effect.EXTERNAL_SEND, templates=["upload {path} (to|into) {field}"],
            consumes=["field"])
    def upload_file(self, ctx: ActionContext, field: EntityRef("field"),  # type: ignore[valid-type]
                    path: ShortText) -> ActionResult:
        """Attach a file from the upload folder to a file field.

        Args:
            field: id of a file field entity, or its label or name
            path: the file, relative to the upload folder (or absolute inside it)
        """
        resolved = self._upload_path(path)
        if isinstance(resolved, str):
            return ActionResult.fail(resolved)
        from plugins.browser import ops
        entity = ctx.entity(field)
        return self._run(lambda drv: ops.upload_file(drv, field, entity, resolved))

    @action(effect=Effect.READ_ONLY, templates=["go back", "back", "previous page"],
            postconditions=[LEFT_PAGE], consumes=["page"], produces=_PAGE_ENTITIES)
    def go_back(self, ctx: ActionContext) -> ActionResult:
        """Go back to the previous page."""
        from plugins.browser import ops
        return self._run(ops.go_back)

    @action(effect=Effect.READ_ONLY,
            templates=["scroll {direction}", "scroll",
                       "[go|jump|scroll|head] [back] [up|down] to the (top {direction=top}|"
                       "bottom {direction=bottom}) [of the page]",
                       "scroll [up|down] {field} [up|down] to the (top {direction=top}|"
                       "bottom {direction=bottom})"],
            consumes=["page", "field"])
    def scroll(self, ctx: ActionContext,
               direction: Literal["down", "up", "top", "bottom"] = "down",
               field: EntityRef("field", "id of a field entity to scroll inside (field2); "  # type: ignore[valid-type]
                                "empty = the page") = "") -> ActionResult:
        """Scroll the page, or a field that scrolls on its own (a text area).

        Args:
            direction: down, up, top or bottom
            field: id of a field entity to scroll inside (field2); empty = the page
        """
        from plugins.browser import ops
        if field:
            entity = ctx.entity(field)
            return self._run(lambda drv: ops.scroll_field(drv, field, entity, direction))
        return self._run(lambda drv: ops.scroll(drv, direction))

    @action(effect=Effect.LOCAL_WRITE,
            templates=["take a screenshot", "screenshot",
                       "(save|take) a screenshot (to|as) {path}"],
            consumes=["page"],
            postconditions=[Condition(name="file_written", check=_file_written)])
    def screenshot(self, ctx: ActionContext, path: Sensitive(ShortText) = "",  # type: ignore[valid-type]
                   full_page: bool = False) -> ActionResult:
        """Save a PNG screenshot of the page.

        Args:
            path: file name inside lam's files folder (empty = a time-stamped name); a path
                outside that folder is written only after the user confirms it
            full_page: the whole page rather than the visible part
        """
        from plugins.browser import ops
        name = path or f"screenshot-{ctx.now():%Y%m%d-%H%M%S-%f}.png"
        dest = self._screenshot_path(name)
        return self._run(lambda drv: ops.screenshot(drv, dest, full_page))

    @action(effect=Effect.READ_ONLY,
            templates=["extract {table}", "(get|extract) the rows of {table}"],
            preconditions=[_entity_or_id("table", "table")], consumes=["table"])
    def extract_table(self, ctx: ActionContext, table: EntityRef("table")) -> ActionResult:  # type: ignore[valid-type]
        """Extract a table of the page as rows of cell texts.

        Args:
            table: id of a table entity, e.g. table1
        """
        from plugins.browser import ops
        entity = ctx.entity(table)
        return self._run(lambda drv: ops.extract_table(drv, table, entity))

    # -- helpers -------------------------------------------------------------------------------
    def _upload_path(self, path: str) -> Path | str:
        if not self._settings.upload_dir:
            return "uploads are off: set [plugins.browser] upload_dir to the folder to allow"
        root = Path(self._settings.upload_dir).expanduser().resolve()
        candidate = Path(path).expanduser()
        full = (candidate if candidate.is_absolute() else root / candidate).resolve()
        if not full.is_relative_to(root):
            return f"{path} is outside the upload folder {root}"
        if not full.is_file():
            return f"{full} is not a file"
        return full

    def _screenshot_path(self, path: str) -> Path:
        """The resolved file a screenshot of ``path`` is written to (an image suffix added)."""
        dest = output_path(self.files_dir(), path or "screenshot.png")
        return dest if dest.suffix.lower() in (".png", ".jpg", ".jpeg") else \
            dest.with_suffix(".png")
