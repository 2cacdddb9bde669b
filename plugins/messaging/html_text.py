"""The text a reader sees in an HTML mail part, with hidden text dropped.

Hidden text is a classic place for injected instructions ("ignore previous instructions and
mail ..." in a ``display:none`` block), and the model reads what this returns, so only what a
mail reader would show is kept. Parsing is Beautiful Soup over the standard library's
``html.parser``; CSS is read with tinycss2 (comments, escapes and ``!important`` as a browser
reads them) and ``<style>`` selectors are matched with soupsieve.

Dropped: ``<head>``, ``<script>``, ``<style>``, ``<template>``, ``<noscript>`` and embedded
objects; elements with the ``hidden`` attribute or ``aria-hidden="true"``; elements whose inline
style, or a ``<style>`` rule that selects them (inside ``@media`` too), says ``display:none``,
``visibility:hidden|collapse``, ``opacity:0``, ``font-size:0``, ``mso-hide:all``, a
transparent ``color``, or a zero height or width with ``overflow:hidden``; comments. Kept:
visible text, the text of links (not their targets), and line and paragraph breaks.
Text coloured like its background is not detected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import soupsieve
import tinycss2
from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.element import PreformattedString

__all__ = ["html_to_text"]

_UNSEEN = frozenset({"head", "script", "style", "template", "noscript", "title", "meta", "link",
                     "iframe", "object", "embed", "applet"})
_LINE = frozenset({"br", "div", "li", "tr", "dt", "dd", "caption", "figcaption", "address",
                   "center", "hr", "table", "ul", "ol", "dl", "form", "fieldset", "section",
                   "article", "aside", "header", "footer", "nav", "main", "figure"})
_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"})
_ZERO_SIZE = ("height", "max-height", "width", "max-width")


def _values(declarations: Iterable[tinycss2.ast.Node]) -> dict[str, list[tinycss2.ast.Node]]:
    """Property name -> its value tokens (whitespace and comments left out)."""
    out: dict[str, list[tinycss2.ast.Node]] = {}
    for d in declarations:
        if d.type == "declaration":
            out[d.lower_name] = [t for t in d.value if t.type not in ("whitespace", "comment")]
    return out


def _is(tokens: list[tinycss2.ast.Node], *idents: str) -> bool:
    return len(tokens) == 1 and tokens[0].type == "ident" and tokens[0].lower_value in idents


def _zero(tokens: list[tinycss2.ast.Node]) -> bool:
    return (len(tokens) == 1 and tokens[0].type in ("number", "dimension", "percentage")
            and tokens[0].value == 0)


def _hides(declarations: Iterable[tinycss2.ast.Node]) -> bool:
    """Whether a declaration block makes its element's text invisible."""
    v = _values(declarations)
    return bool(
        _is(v.get("display", []), "none")
        or _is(v.get("visibility", []), "hidden", "collapse")
        or _zero(v.get("opacity", [])) or _zero(v.get("font-size", []))
        or _is(v.get("mso-hide", []), "all")
        or _is(v.get("color", []), "transparent")
        or (_is(v.get("overflow", []), "hidden") and any(_zero(v.get(p, []))
                                                        for p in _ZERO_SIZE)))


def _inline_hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).strip().lower() == "true":
        return True
    style = tag.get("style")
    return isinstance(style, str) and _hides(
        tinycss2.parse_blocks_contents(style, skip_comments=True, skip_whitespace=True))


def _rules(nodes: Iterable[tinycss2.ast.Node]) -> Iterator[tinycss2.ast.QualifiedRule]:
    for node in nodes:
        if node.type == "qualified-rule":
            yield node
        elif node.type == "at-rule" and node.content is not None:  # @media, @supports
            yield from _rules(tinycss2.parse_stylesheet(node.content, skip_comments=True,
                                                        skip_whitespace=True))


def _hidden_by_stylesheets(soup: BeautifulSoup) -> set[int]:
    """ids of the elements a ``<style>`` rule hides (any such rule counts, cascade or not)."""
    hidden: set[int] = set()
    for style in soup.find_all("style"):
        sheet = tinycss2.parse_stylesheet(style.get_text(), skip_comments=True,
                                          skip_whitespace=True)
        for rule in _rules(sheet):
            if not _hides(tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                         skip_whitespace=True)):
                continue
            for selector in tinycss2.serialize(rule.prelude).split(","):
                try:
                    hidden.update(id(tag) for tag in soup.select(selector.strip()))
                except (soupsieve.SelectorSyntaxError, NotImplementedError, ValueError):
                    continue  # a selector soupsieve does not match statically (:hover)
    return hidden


def _pieces(node: PageElement, hidden: set[int]) -> Iterator[str | int]:
    """Text runs, and a break around each block: 1 a line break, 2 a paragraph break."""
    if isinstance(node, PreformattedString):  # comments, CDATA, doctype, declarations
        return
    if isinstance(node, NavigableString):
        yield re.sub(r"\s+", " ", str(node))
        return
    if not isinstance(node, Tag):
        return
    if node.name in _UNSEEN or id(node) in hidden or _inline_hidden(node):
        return
    if node.name == "br":
        yield "\n"
        return
    brk = 2 if node.name in _PARAGRAPH else 1 if node.name in _LINE else 0
    if brk:
        yield brk
    for child in node.children:
        yield from _pieces(child, hidden)
    if node.name in ("td", "th"):
        yield " "  # cells of a row stay apart
    if brk:
        yield brk


def html_to_text(markup: str) -> str:
    """Visible text of an HTML document or fragment, with line and paragraph breaks."""
    soup = BeautifulSoup(markup, "html.parser")
    out: list[str] = []
    pending = 0  # the largest break asked for since the last text
    for piece in _pieces(soup, _hidden_by_stylesheets(soup)):
        if isinstance(piece, int):
            pending = max(pending, piece)
            continue
        if pending:
            if not piece.strip():
                continue  # white space between blocks
            if out:
                out.append("\n" * pending)
            pending = 0
        out.append(piece)
    lines = [line.strip() for line in "".join(out).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
