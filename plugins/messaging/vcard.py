"""vCard 3.0/4.0 import and export (FN, N, NICKNAME, EMAIL, RELATED, X-ABRELATEDNAMES), through
`vobject`.

Reading uses vobject's line reader (unfolding, groups, parameters, quoting) and its text
unescaping, not its card objects: vobject decodes a property it has no behaviour for as one text
and keeps only the first of a comma list, which would drop every nickname after the first
(``NICKNAME:JD,Janey``). Writing is vobject's card serializer (escaping, folding at 75 octets;
vobject leaves a line of fewer than 75 characters unfolded even where multi-byte characters
make it longer than 75 octets, which RFC 6350 allows: folding is a SHOULD, and readers unfold).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

import vobject
from vobject.base import ContentLine, ParseError, getLogicalLines, textLineToContentLine
from vobject.vcard import Name, backslashEscape, splitFields, stringToTextValues

from plugins.messaging.contacts import Contact

__all__ = ["VCardError", "dump_vcards", "parse_vcards"]


class VCardError(ValueError):
    """A vCard file that cannot be read; the message says what is wrong."""


_RELATION_LABEL = re.compile(r"_\$!<(.*)>!\$_")


def _text(value: str) -> str:
    """One text value, unescaped (an unescaped comma is kept as it stands)."""
    return ",".join(stringToTextValues(value))


def _field(value: str | list[str]) -> str:
    return " ".join(value) if isinstance(value, list) else value


def parse_vcards(text: str) -> list[Contact]:
    """Every contact in a .vcf text. Cards without a name or address are skipped; lines outside
    a card are ignored. Raises `VCardError` for a line that is not ``NAME;PARAMS:VALUE`` or a
    card that is not closed."""
    contacts: list[Contact] = []
    card: list[ContentLine] | None = None
    try:
        for raw, n in getLogicalLines(io.StringIO(text), allowQP=False):
            line = textLineToContentLine(raw, n)
            kind = str(line.value).strip().upper()
            if line.name == "BEGIN":
                if kind != "VCARD":
                    raise VCardError(f"BEGIN:{kind} is not a vCard; a .vcf file holds "
                                     "BEGIN:VCARD ... END:VCARD cards")
                if card is not None:
                    raise VCardError(f"card {len(contacts) + 1}: BEGIN:VCARD before the "
                                     "previous card's END:VCARD")
                card = []
            elif line.name == "END" and kind == "VCARD":
                if card is None:
                    raise VCardError("END:VCARD without BEGIN:VCARD")
                contact = _contact(card)
                if contact is not None:
                    contacts.append(contact)
                card = None
            elif card is not None:
                card.append(line)
    except ParseError as exc:
        raise VCardError(f"malformed vCard line ({exc}); each line must be NAME:VALUE") from None
    if card is not None:
        raise VCardError("vCard not closed with END:VCARD")
    return contacts


def _contact(card: list[ContentLine]) -> Contact | None:
    props: dict[str, list[ContentLine]] = {}
    for line in card:
        props.setdefault(line.name, []).append(line)
    name = _text(props["FN"][0].value).strip() if "FN" in props else ""
    if not name and "N" in props:
        fields: list[str | list[str]] = list(splitFields(props["N"][0].value))
        family, given, *_ = [*fields, "", ""]
        name = " ".join(p for p in (_field(given), _field(family)) if p).strip()
    emails = [e for line in props.get("EMAIL", [])
              if (e := _text(line.value).strip().removeprefix("mailto:"))]
    if not name:
        name = emails[0] if emails else ""
    if not name:
        return None
    nicknames = [n.strip() for line in props.get("NICKNAME", [])
                 for n in stringToTextValues(line.value) if n.strip()]
    relation = ""
    for line in props.get("RELATED", []):
        is_text = [v.lower() for v in line.params.get("VALUE", [])] == ["text"]
        relation = _text(line.value) if is_text else (line.params.get("TYPE") or [""])[0]
    labels = {(line.group or "").lower(): _text(line.value)
              for line in props.get("X-ABLABEL", [])}
    for line in props.get("X-ABRELATEDNAMES", []):
        # Apple: the label of the same group ("_$!<Mother>!$_") says what the person is
        label = labels.get((line.group or "").lower(), "") if line.group else ""
        relation = _RELATION_LABEL.sub(r"\1", label) or relation
    return Contact(name=name, emails=emails, nicknames=nicknames, relation=relation.lower())


def dump_vcards(contacts: Iterable[Contact]) -> str:
    """vCard 4.0 text for ``contacts`` (CRLF line ends, lines folded at 75 octets)."""
    out: list[str] = []
    for c in contacts:
        card = vobject.vCard()
        card.add("version").value = "4.0"
        card.add("fn").value = c.name
        parts = c.name.rsplit(" ", 1)
        family, given = (parts[1], parts[0]) if len(parts) == 2 else ("", c.name)
        card.add("n").value = Name(family=family, given=given)
        if c.nicknames:
            # A list: escaped item by item here, since vobject would escape the commas too.
            nick = card.add("nickname")
            nick.value, nick.encoded = ",".join(backslashEscape(n) for n in c.nicknames), True
        for i, email in enumerate(c.emails):
            line = card.add("email")
            line.value = email
            if i == 0:
                line.params["PREF"] = ["1"]
        if c.relation:
            related = card.add("related")
            related.value, related.params["VALUE"] = c.relation, ["text"]
        out.append(card.serialize())
    return "".join(out)
