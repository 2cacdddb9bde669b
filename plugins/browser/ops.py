"""What each action does to the page, run on the worker thread with the `Driver`.

Each function returns an `ActionResult` or raises `BrowserFailure`; `plugin.py` declares the
actions and hands these functions to the session."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Error, Locator
from playwright.sync_api import TimeoutError as PWTimeout

from actions import ActionResult, Entity
from plugins.browser.driver import Driver, Outcome
from plugins.browser.errors import BrowserFailure, first_line
from plugins.browser.page_model import TABLE_ROWS_JS

__all__ = [
    "click",
    "extract_table",
    "fill_field",
    "focus_field",
    "go_back",
    "open_url",
    "page_result",
    "read_page",
    "screenshot",
    "scroll",
    "select_option",
    "set_checkbox",
    "submit_form",
    "upload_file",
]

_SUBMIT_JS = """el => {
  const form = el.tagName === 'FORM' ? el : (el.form || el.closest('form'));
  if (!form) return false;
  form.requestSubmit();
  return true;
}"""


def _same_page(a: str, b: str) -> bool:
    return a.split("#", 1)[0] == b.split("#", 1)[0]


def page_result(drv: Driver, outcome: Outcome, verb: str) -> ActionResult:
    """Read the page after it changed and publish its entities."""
    model = drv.read()
    out: dict[str, Any] = model.summary()
    out.update(navigated=outcome.navigated, popup=outcome.popup, blocked=outcome.blocked,
               downloads=outcome.downloads)
    if outcome.unfiltered:
        out["unfiltered"] = outcome.unfiltered
    counts = out["counts"]
    msg = (f"{verb} {model.title or model.url} ({model.url}): {counts['links']} links, "
           f"{counts['fields']} fields, {counts['buttons']} buttons")
    return ActionResult(message=msg, output=out, entities=model.entities())


def open_url(drv: Driver, url: str, verb: str = "opened") -> ActionResult:
    previous = drv.page.url
    result = page_result(drv, drv.goto(url), verb)
    result.output["previous_url"] = previous
    result.output["requested"] = url
    return result


def read_page(drv: Driver) -> ActionResult:
    return page_result(drv, Outcome(), "read")


# -- finding things --------------------------------------------------------------------------
def entity_attrs(drv: Driver, ref: str, entity: Entity | None, types: tuple[str, ...],
                 live: bool = True) -> dict[str, Any] | None:
    """The recipe of entity ``ref``: from the context, else from the last read of the page.

    With ``live`` the entity must belong to the page the browser is on now.
    """
    attrs: dict[str, Any] | None = None
    if entity is not None and entity.type in types:
        attrs = {**entity.attributes, "label": entity.label}
    elif drv.model is not None:
        for ent in drv.model.entities():
            if ent.id == ref and ent.type in types:
                attrs = {**ent.attributes, "label": ent.label}
    if attrs is not None and live:
        page_url = str(attrs.get("page_url") or "")
        if page_url and not _same_page(page_url, drv.page.url):
            raise BrowserFailure(f"{ref} is from {page_url}, but the browser is on "
                                 f"{drv.page.url}; read the page again")
    return attrs


def _first_present(cands: list[Locator]) -> Locator | None:
    for loc in cands:
        if loc.count() > 0:
            return loc.first
    return None


def by_text(drv: Driver, text: str, roles: tuple[str, ...] = ("button", "link")) -> Locator:
    """A visible element whose name or text is ``text`` (exact first, then contained)."""
    page = drv.page
    for exact in (True, False):
        cands = [page.get_by_role(r, name=text, exact=exact) for r in roles]  # type: ignore[arg-type]
        cands.append(page.get_by_text(text, exact=exact))
        found = _first_present(cands)
        if found is not None:
            return found
    raise BrowserFailure(f"nothing called '{text}' on {page.url}")


def find_field(drv: Driver, ref: str, entity: Entity | None) -> tuple[Locator, str]:
    """A form field by entity id, or by its label / name / placeholder text."""
    attrs = entity_attrs(drv, ref, entity, ("field",))
    if attrs is not None:
        return drv.locate(attrs), ref
    wanted = ref.strip().lower()
    if drv.model is None:
        drv.read()
    assert drv.model is not None
    fields = [e for e in drv.model.entities() if e.type == "field"]
    for exact in (True, False):
        for ent in fields:
            names = [str(ent.attributes.get(k) or "").lower() for k in ("label", "name", "id")]
            if any((n == wanted) if exact else (wanted in n and n) for n in names):
                return drv.locate({**ent.attributes, "label": ent.label}), ent.id
    page = drv.page
    found = _first_present([page.get_by_label(ref, exact=True), page.get_by_placeholder(ref),
                            page.get_by_label(ref)])
    if found is None:
        raise BrowserFailure(f"no field '{ref}' on {page.url}")
    return found, ref


def _guard(what: str, fn: Any, timeout: int) -> Any:
    try:
        return fn()
    except PWTimeout as exc:
        raise BrowserFailure(f"could not {what} within {timeout} ms: {first_line(exc)}") from exc
    except Error as exc:
        raise BrowserFailure(f"could not {what}: {first_line(exc)}") from exc


# -- acting ----------------------------------------------------------------------------------
def click(drv: Driver, target: str, entity: Entity | None) -> ActionResult:
    attrs = entity_attrs(drv, target, entity,
                         ("link", "button", "field", "heading", "tab", "dialog"))
    loc = drv.locate(attrs) if attrs is not None else by_text(drv, target)
    before = drv.page.url
    outcome = drv.act(lambda: _guard(f"click '{target}'", lambda: loc.click(), drv.timeout))
    if outcome.navigated or not _same_page(before, drv.page.url):
        result = page_result(drv, outcome, "clicked, now on")
    else:
        result = ActionResult(message=f"clicked '{target}'",
                              output={"url": drv.page.url, "navigated": False,
                                      "blocked": outcome.blocked,
                                      "downloads": outcome.downloads})
    result.output["previous_url"] = before
    return result


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y")


def _iso_date(value: str) -> str:
    """A date field takes YYYY-MM-DD; a date written another common way is converted."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    raise BrowserFailure(f"'{value}' is not a date the field can take: write it as YYYY-MM-DD")


_SLIDER_JS = """(el, v) => {
  const n = Number(v);
  if (v.trim() === "" || !isFinite(n)) return { error: "a slider takes a number" };
  if (el.tagName === "INPUT") {
    const previous = el.value;
    el.value = String(n);
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
    return { value: el.value, previous };
  }
  const $ = window.jQuery;
  if ($ && $(el).hasClass("ui-slider") && $(el).slider) {
    const previous = String($(el).slider("value"));
    $(el).slider("value", n);
    return { value: String($(el).slider("value")), previous };
  }
  return { keys: true, previous: el.getAttribute("aria-valuenow") || "" };
}"""
_IS_SLIDER_JS = ("el => (el.tagName === 'INPUT' && el.type === 'range') || "
                 "el.getAttribute('role') === 'slider' || el.classList.contains('ui-slider')")


def _set_slider(drv: Driver, ref: str, loc: Locator, field_id: str,
                value: str) -> ActionResult:
    """Move a slider to ``value``: an input's value set with its input and change events, a
    jQuery UI slider through its own API (its change handlers run), an ARIA slider by the
    arrow keys a user would press."""
    got = _guard(f"set '{ref}'", lambda: loc.evaluate(_SLIDER_JS, value), drv.timeout)
    if got.get("error"):
        raise BrowserFailure(f"'{ref}' is a slider: {got['error']}, not {value!r}")
    if got.get("keys"):
        loc.focus()
        want = float(value)
        for _ in range(400):
            now = loc.get_attribute("aria-valuenow")
            if now is None or float(now) == want:
                break
            loc.press("ArrowRight" if float(now) < want else "ArrowLeft")
            if loc.get_attribute("aria-valuenow") == now:
                break  # the end of its range
        got = {"value": loc.get_attribute("aria-valuenow") or "",
               "previous": got.get("previous", "")}
    shown = str(got.get("value", ""))
    ok = shown != "" and float(shown) == float(value)
    drv.last_field = loc
    return ActionResult(message=f"set '{ref}' to {shown!r}",
                        output={"field": field_id, "kind": "range", "value_ok": ok,
                                "value": value if ok else shown, "url": drv.page.url,
                                "previous": str(got.get("previous", ""))})


_WIDGET_JS = """(el, v) => {
  const $ = window.jQuery;
  if ($ && $(el).hasClass("hasDatepicker") && $(el).datepicker) {
    $(el).datepicker("setDate", v);
    return { value: el.value };
  }
  return { error: "it is set by a widget lam does not know" };
}"""


def _set_by_widget(drv: Driver, ref: str, loc: Locator, field_id: str, kind: str, value: str,
                   previous: str) -> ActionResult:
    """A read-only field a widget sets (a jQuery UI date picker): through the widget's own API,
    as picking in it would; any other read-only field is refused."""
    got = _guard(f"set '{ref}'", lambda: loc.evaluate(_WIDGET_JS, value), drv.timeout)
    if got.get("error"):
        raise BrowserFailure(f"'{ref}' is read-only: {got['error']}")
    shown = str(got.get("value", ""))
    drv.last_field = loc
    return ActionResult(message=f"set '{ref}' to {shown!r} with its picker",
                        output={"field": field_id, "kind": kind, "value_ok": shown == value,
                                "value": shown, "previous": previous, "url": drv.page.url})


def fill_field(drv: Driver, ref: str, entity: Entity | None, value: str) -> ActionResult:
    loc, field_id = find_field(drv, ref, entity)
    if loc.evaluate(_IS_SLIDER_JS):
        return _set_slider(drv, ref, loc, field_id, value)
    kind = str(loc.evaluate("el => (el.type || el.tagName).toLowerCase()"))
    if kind in ("checkbox", "radio", "file", "select-one", "select-multiple"):
        raise BrowserFailure(f"'{ref}' is a {kind} field; use set_checkbox, select_option "
                             "or upload_file")
    typed = value
    if kind == "date":
        value = _iso_date(value)
    previous = _guard(f"read '{ref}'", loc.input_value, drv.timeout)
    if loc.evaluate("el => !!el.readOnly"):
        return _set_by_widget(drv, ref, loc, field_id, kind, value, previous)
    _guard(f"fill '{ref}'", lambda: loc.fill(value), drv.timeout)
    got = _guard(f"read '{ref}'", loc.input_value, drv.timeout)
    drv.last_field = loc
    secret = kind == "password"
    out: dict[str, Any] = {"field": field_id, "kind": kind, "value_ok": got == value,
                           "url": drv.page.url}
    if not secret:
        out.update(value=got, previous=previous)
        if value != typed:
            out.update(typed=typed, converted=value)
    return ActionResult(message=f"filled '{ref}'" + ("" if secret else f" with {got!r}"),
                        output=out)


def focus_field(drv: Driver, ref: str, entity: Entity | None) -> ActionResult:
    loc, field_id = find_field(drv, ref, entity)
    # The focus event is recorded: a page may move the focus on at once (what the user asked
    # for still happened).
    loc.evaluate("el => el.addEventListener('focus', () => { el.__lamFocused = true; },"
                 " { once: true })")
    _guard(f"focus '{ref}'", loc.focus, drv.timeout)
    focused = bool(loc.evaluate("el => !!el.__lamFocused || document.activeElement === el"))
    drv.last_field = loc
    return ActionResult(message=f"focused '{ref}'", output={"field": field_id,
                                                            "focused": focused,
                                                            "url": drv.page.url})


def select_option(drv: Driver, ref: str, entity: Entity | None, option: str) -> ActionResult:
    loc, field_id = find_field(drv, ref, entity)
    options = _guard(f"read the options of '{ref}'", lambda: loc.evaluate(
        "el => el.options ? Array.from(el.options).map(o => [o.value, o.text.trim()]) : null"),
        drv.timeout)
    if options is None:
        raise BrowserFailure(f"'{ref}' is not a select field")
    previous = loc.evaluate("el => el.selectedIndex >= 0 ? el.options[el.selectedIndex].text"
                            ".trim() : ''")
    want = option.strip().lower()
    match = next((v for v, t in options if t.lower() == want or v.lower() == want), None)
    if match is None:
        match = next((v for v, t in options if want in t.lower()), None)
    if match is None:
        shown = ", ".join(t for _, t in options[:20])
        raise BrowserFailure(f"'{ref}' has no option '{option}' (options: {shown})")
    # A multiple-choice list keeps what was chosen before: options are added one by one.
    kept = loc.evaluate("el => el.multiple ? Array.from(el.selectedOptions).map(o => o.value)"
                        " : []")
    chosen = [*[v for v in kept if v != match], match]
    _guard(f"select '{option}'", lambda: loc.select_option(value=chosen), drv.timeout)
    label = loc.evaluate("el => Array.from(el.selectedOptions).map(o => o.text.trim())"
                         ".join(', ')")
    drv.last_field = loc
    return ActionResult(message=f"selected '{label}' in '{ref}'",
                        output={"field": field_id, "selected": label, "value": match,
                                "previous": previous})


def set_checkbox(drv: Driver, ref: str, entity: Entity | None, checked: bool) -> ActionResult:
    loc, field_id = find_field(drv, ref, entity)
    previous = _guard(f"read '{ref}'", loc.is_checked, drv.timeout)
    _guard(f"{'tick' if checked else 'untick'} '{ref}'", lambda: loc.set_checked(checked),
           drv.timeout)
    now = bool(loc.is_checked())
    drv.last_field = loc
    return ActionResult(message=f"{'ticked' if now else 'unticked'} '{ref}'",
                        output={"field": field_id, "checked": now, "previous": bool(previous)})


def upload_file(drv: Driver, ref: str, entity: Entity | None, path: Path) -> ActionResult:
    loc, field_id = find_field(drv, ref, entity)
    _guard(f"upload to '{ref}'", lambda: loc.set_input_files(str(path)), drv.timeout)
    drv.last_field = loc
    return ActionResult(message=f"attached {path.name} to '{ref}'",
                        output={"field": field_id, "file": str(path)})


def submit_form(drv: Driver, target: str, entity: Entity | None) -> ActionResult:
    page = drv.page
    loc: Locator | None = None
    press_button = False
    if target:
        attrs = entity_attrs(drv, target, entity, ("button", "field"))
        if attrs is not None:
            loc = drv.locate(attrs)
            press_button = entity_is_button(attrs)
        else:
            loc = by_text(drv, target, roles=("button",))
            press_button = True
    elif drv.last_field is not None and drv.last_field.count() > 0:
        loc = drv.last_field
    elif page.locator("form").count() == 1:
        loc = page.locator("form").first
    else:
        raise BrowserFailure("which form? name its button or one of its fields")
    assert loc is not None
    before = page.url
    chosen = loc

    def go() -> None:
        if press_button:
            chosen.click()
        elif not chosen.evaluate(_SUBMIT_JS):
            raise BrowserFailure("that element is not inside a form")

    outcome = drv.act(lambda: _guard("submit it", go, drv.timeout))
    drv.last_field = None
    result = page_result(drv, outcome, "submitted, now on")
    result.output["previous_url"] = before
    return result


def entity_is_button(attrs: dict[str, Any]) -> bool:
    return attrs.get("role") == "button" or str(attrs.get("kind", "")) in (
        "submit", "button", "image", "reset")


def go_back(drv: Driver) -> ActionResult:
    page = drv.page
    before = page.url
    mark = drv.block_mark()
    try:
        response = page.go_back(wait_until="load", timeout=drv.timeout)
    except PWTimeout as exc:
        raise BrowserFailure(f"the previous page did not load within {drv.timeout} ms") from exc
    except Error as exc:
        raise BrowserFailure(f"could not go back: {first_line(exc)}") from exc
    if response is None and page.url == before:
        raise BrowserFailure("there is no previous page")
    result = page_result(drv, drv.finish(Outcome(navigated=True), mark), "back on")
    result.output["previous_url"] = before
    return result


_SCROLL_JS = """dir => {
  const h = window.innerHeight * 0.8;
  if (dir === 'down') window.scrollBy(0, h);
  else if (dir === 'up') window.scrollBy(0, -h);
  else if (dir === 'top') window.scrollTo(0, 0);
  else window.scrollTo(0, document.documentElement.scrollHeight);
  const el = document.scrollingElement || document.documentElement;
  return [window.scrollY, window.scrollY + window.innerHeight >= el.scrollHeight - 2];
}"""


def scroll(drv: Driver, direction: str) -> ActionResult:
    y, at_bottom = _guard("scroll", lambda: drv.page.evaluate(_SCROLL_JS, direction),
                          drv.timeout)
    return ActionResult(message=f"scrolled {direction} (y={y})",
                        output={"scroll_y": y, "at_bottom": at_bottom, "url": drv.page.url})


_SCROLL_FIELD_JS = """(el, dir) => {
  const h = el.clientHeight * 0.8;
  if (dir === 'down') el.scrollTop += h;
  else if (dir === 'up') el.scrollTop -= h;
  else if (dir === 'top') el.scrollTop = 0;
  else el.scrollTop = el.scrollHeight;
  return [el.scrollTop, el.scrollTop + el.clientHeight >= el.scrollHeight - 2];
}"""


def scroll_field(drv: Driver, ref: str, entity: Entity | None, direction: str) -> ActionResult:
    """Scroll inside a field (a text area), as its scroll bar would; its scroll event fires."""
    loc, field_id = find_field(drv, ref, entity)
    y, at_bottom = _guard(f"scroll '{ref}'", lambda: loc.evaluate(_SCROLL_FIELD_JS, direction),
                          drv.timeout)
    return ActionResult(message=f"scrolled '{ref}' {direction} (y={y})",
                        output={"field": field_id, "scroll_y": y, "at_bottom": at_bottom,
                                "url": drv.page.url})


def screenshot(drv: Driver, dest: Path, full_page: bool) -> ActionResult:
    dest.parent.mkdir(parents=True, exist_ok=True)
    _guard("take a screenshot", lambda: drv.page.screenshot(path=str(dest), full_page=full_page),
           drv.timeout)
    return ActionResult(message=f"screenshot of {drv.page.url} saved to {dest}",
                        output={"path": str(dest), "url": drv.page.url})


def extract_table(drv: Driver, ref: str, entity: Entity | None) -> ActionResult:
    attrs = entity_attrs(drv, ref, entity, ("table",))
    if attrs is None:
        if drv.model is None:
            drv.read()
        raise BrowserFailure(f"no table '{ref}' on {drv.page.url}")
    loc = drv.locate(attrs)
    rows: list[list[str]] = _guard("read the table", lambda: loc.evaluate(TABLE_ROWS_JS),
                                   drv.timeout)
    headers = list(attrs.get("headers") or [])
    body = rows[1:] if headers and rows and rows[0] == headers else rows
    return ActionResult(message=f"{len(body)} rows from {attrs.get('label') or ref}",
                        output={"table": ref, "headers": headers, "rows": body,
                                "url": drv.page.url})
