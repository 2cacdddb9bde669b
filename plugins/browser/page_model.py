"""What is on the page, as lam entities: ``page``, ``link``, ``button``, ``field``, ``table``,
``heading``, ``tab`` (ARIA tabs and accordion headers) and ``dialog``. Text with a pointer
cursor and no element of its own is a ``link`` without a URL (it can be clicked, not opened).
Ids are ``<type><ordinal>`` (``link3`` is the third link), so a plan can name "the
third link" of a page it has not opened yet. Each element carries how to find it again after a
re-render (role + accessible name + index, and a CSS fallback), never a live handle."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from actions import Entity, Provenance, Scope

__all__ = ["ENTITY_TYPES", "EXTRACT_JS", "PageModel", "field_role"]

ENTITY_TYPES = ("page", "link", "button", "field", "table", "heading", "tab", "dialog")

EXTRACT_JS = (Path(__file__).with_name("extract.js")).read_text(encoding="utf-8")

TABLE_ROWS_JS = r"""
(el) => Array.from(el.rows).map((row) => Array.from(row.cells).map(
  (c) => (c.innerText || "").replace(/\s+/g, " ").trim()))
"""

_FIELD_ROLES = {
    "text": "textbox", "email": "textbox", "search": "searchbox", "url": "textbox",
    "tel": "textbox", "textarea": "textbox", "number": "spinbutton", "checkbox": "checkbox",
    "radio": "radio", "range": "slider",
}


def field_role(kind: str, multiple: bool = False) -> str | None:
    """The ARIA role Playwright's ``get_by_role`` finds a field of this kind under, if any."""
    if kind == "select":
        return "listbox" if multiple else "combobox"
    return _FIELD_ROLES.get(kind)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class PageModel:
    """One snapshot of a page, turned into entities with 1-based ordinals per type."""

    url: str
    title: str
    text: str
    links: list[dict[str, Any]] = field(default_factory=list)
    buttons: list[dict[str, Any]] = field(default_factory=list)
    fields: list[dict[str, Any]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    headings: list[dict[str, Any]] = field(default_factory=list)
    tabs: list[dict[str, Any]] = field(default_factory=list)
    dialogs: list[dict[str, Any]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    """The visible paragraphs' texts, in page order (untrusted page text)."""

    @classmethod
    def from_raw(cls, raw: dict[str, Any], max_text: int) -> PageModel:
        text = str(raw.get("text", ""))
        return cls(url=str(raw.get("url", "")), title=str(raw.get("title", "")),
                   text=text[:max_text], links=list(raw.get("links", [])),
                   buttons=list(raw.get("buttons", [])), fields=list(raw.get("fields", [])),
                   tables=list(raw.get("tables", [])), headings=list(raw.get("headings", [])),
                   tabs=list(raw.get("tabs", [])), dialogs=list(raw.get("dialogs", [])),
                   paragraphs=[str(p) for p in raw.get("paragraphs", [])])

    def entities(self) -> list[Entity]:
        """Every entity of the page; attributes hold the re-location recipe."""
        prov = Provenance.untrusted(f"page {self.url}")
        out = [Entity(id="page", type="page", label=_short(self.title or self.url), ordinal=1,
                      scope=Scope.SCREEN, provenance=prov,
                      attributes={"url": self.url, "title": self.title,
                                  "paragraphs": self.paragraphs})]

        def add(etype: str, items: list[dict[str, Any]], label_key: str,
                role: str | None, extra: list[str]) -> None:
            seen: dict[tuple[str, str], int] = {}
            for i, item in enumerate(items, start=1):
                name = str(item.get(label_key) or "")
                item_role = role if role != "?" else field_role(str(item.get("kind", "")),
                                                                bool(item.get("multiple")))
                key = (item_role or "", name)
                attrs: dict[str, Any] = {k: item[k] for k in extra if k in item}
                attrs.update(page_url=self.url, css=item.get("css", ""),
                             css_index=item.get("css_index", -1))
                if item_role and name:
                    attrs.update(role=item_role, role_name=name, role_index=seen.get(key, 0))
                    seen[key] = seen.get(key, 0) + 1
                out.append(Entity(id=f"{etype}{i}", type=etype, ordinal=i, scope=Scope.SCREEN,
                                  provenance=prov, attributes=attrs,
                                  label=_short(name or str(item.get("name") or etype))))

        add("link", [ln for ln in self.links if ln.get("url")], "text", "link",
            ["url", "text", "target", "group", "within"])
        add("button", self.buttons, "text", "button",
            ["text", "kind", "form", "dialog", "aliases", "within"])
        add("field", self.fields, "label", "?",
            ["name", "id", "label", "kind", "required", "checked", "value", "options", "multiple",
             "placeholder", "dialog"])
        add("table", self.tables, "caption", None, ["caption", "headers", "rows"])
        add("heading", self.headings, "text", None, ["text", "level"])
        add("tab", self.tabs, "text", "tab", ["text", "selected", "expanded", "holds"])
        add("dialog", self.dialogs, "text", None, ["text"])
        # Clickable text without a URL: links after the real ones (ordinals of real links
        # stay what they were), clicked by their recipe, never opened.
        plain = [ln for ln in self.links if not ln.get("url")]
        if plain:
            start = sum(1 for e in out if e.type == "link")
            for i, item in enumerate(plain, start=start + 1):
                out.append(Entity(id=f"link{i}", type="link", ordinal=i, scope=Scope.SCREEN,
                                  provenance=prov, label=_short(str(item.get("text") or "")),
                                  attributes={"url": "", "text": item.get("text", ""),
                                              "group": item.get("group", ""), "clickable": True,
                                              "holds": item.get("holds", []),
                                              "icon": bool(item.get("icon")),
                                              "within": item.get("within", ""),
                                              "page_url": self.url, "css": item.get("css", ""),
                                              "css_index": item.get("css_index", 0)}))
        for ent in out:
            if ent.type == "field" and not ent.label:
                ent.label = str(ent.attributes.get("name") or ent.attributes.get("kind"))
            if ent.type == "table" and not ent.attributes.get("caption"):
                headers = ent.attributes.get("headers") or []
                ent.label = _short(", ".join(headers) or f"table {ent.ordinal}")
        return out

    def summary(self) -> dict[str, Any]:
        """The page as a step output (``links`` lets a later step refer to them)."""
        return {
            "url": self.url, "title": self.title, "text": self.text,
            "headings": [h.get("text", "") for h in self.headings],
            "links": [{"id": f"link{i}", "text": ln.get("text", ""), "url": ln.get("url", "")}
                      for i, ln in enumerate(
                          [ln for ln in self.links if ln.get("url")], start=1)],
            "counts": {"links": sum(1 for ln in self.links if ln.get("url")),
                       "buttons": len(self.buttons), "fields": len(self.fields),
                       "tables": len(self.tables), "headings": len(self.headings),
                       "tabs": len(self.tabs), "dialogs": len(self.dialogs)},
        }
