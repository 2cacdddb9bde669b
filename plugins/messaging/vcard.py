"""vCard 3.0/4.0 import and export (FN, N, NICKNAME, EMAIL, RELATED, X-ABRELATEDNAMES)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from plugins.messaging.contacts import Contact

__all__ = ["VCardError", "dump_vcards", "parse_vcards"]


class VCardError(ValueError):
    """A vCard file that cannot be read."""


_RELATION_LABEL = re.compile(r"_\$!<(.*)>!\$_")


def _unfold(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif raw.strip():
            lines.append(raw)
    return lines


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\,;nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _split(value: str, sep: str) -> list[str]:
    """Split on ``sep`` not preceded by a backslash, then unescape each part."""
    return [_unescape(p) for p in re.split(r"(?<!\\)" + re.escape(sep), value)]


def _escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\n", "\\n"))


def parse_vcards(text: str) -> list[Contact]:
    """Every contact in a .vcf text. Cards without a name or address are skipped."""
    contacts: list[Contact] = []
    card: dict[str, list[tuple[dict[str, str], str]]] | None = None
    for line in _unfold(text):
        name_part, sep, value = line.partition(":")
        if not sep:
            raise VCardError(f"malformed vCard line: {line[:60]!r}")
        prop, *raw_params = name_part.split(";")
        group, _, prop = prop.rpartition(".")  # a group prefix such as "item1."
        prop = prop.upper()
        params = {"GROUP": group.lower()} if group else {}
        for p in raw_params:
            key, _, val = p.partition("=")
            params[key.upper()] = val.strip('"') if val else key
        if prop == "BEGIN" and value.strip().upper() == "VCARD":
            card = {}
        elif prop == "END" and value.strip().upper() == "VCARD":
            if card is None:
                raise VCardError("END:VCARD without BEGIN:VCARD")
            contact = _contact(card)
            if contact is not None:
                contacts.append(contact)
            card = None
        elif card is not None:
            card.setdefault(prop, []).append((params, value))
    if card is not None:
        raise VCardError("vCard not closed with END:VCARD")
    return contacts


def _contact(card: dict[str, list[tuple[dict[str, str], str]]]) -> Contact | None:
    name = _unescape(card["FN"][0][1]).strip() if "FN" in card else ""
    if not name and "N" in card:
        parts = [*_split(card["N"][0][1], ";"), "", ""]
        name = " ".join(p for p in (parts[1], parts[0]) if p).strip()
    emails = [v.strip().removeprefix("mailto:") for _, v in card.get("EMAIL", []) if v.strip()]
    if not name:
        name = emails[0] if emails else ""
    if not name:
        return None
    nicknames = [n.strip() for _, v in card.get("NICKNAME", []) for n in _split(v, ",")
                 if n.strip()]
    relation = ""
    for params, value in card.get("RELATED", []):
        is_text = params.get("VALUE", "").lower() == "text"
        relation = _unescape(value) if is_text else params.get("TYPE", "")
    labels = {p.get("GROUP"): _unescape(v) for p, v in card.get("X-ABLABEL", [])}
    for params, _value in card.get("X-ABRELATEDNAMES", []):
        # Apple: the label of the same group ("_$!<Mother>!$_") says what the person is
        label = labels.get(params.get("GROUP"), "")
        relation = _RELATION_LABEL.sub(r"\1", label) or relation
    return Contact(name=name, emails=emails, nicknames=nicknames, relation=relation.lower())


def dump_vcards(contacts: Iterable[Contact]) -> str:
    """vCard 4.0 text for ``contacts`` (CRLF line ends, lines folded at 75 octets)."""
    out: list[str] = []
    for c in contacts:
        lines = ["BEGIN:VCARD", "VERSION:4.0", f"FN:{_escape(c.name)}"]
        parts = c.name.rsplit(" ", 1)
        family, given = (parts[1], parts[0]) if len(parts) == 2 else ("", c.name)
        lines.append(f"N:{_escape(family)};{_escape(given)};;;")
        if c.nicknames:
            lines.append("NICKNAME:" + ",".join(_escape(n) for n in c.nicknames))
        for i, email in enumerate(c.emails):
            lines.append(f"EMAIL;PREF=1:{email}" if i == 0 else f"EMAIL:{email}")
        if c.relation:
            lines.append(f"RELATED;VALUE=text:{_escape(c.relation)}")
        lines.append("END:VCARD")
        out.extend(_fold(line) for line in lines)
    return "".join(line + "\r\n" for line in out)


def _fold(line: str) -> str:
    data = line.encode()
    if len(data) <= 75:
        return line
    chunks: list[str] = []
    current = b""
    for ch in line:
        b = ch.encode()
        if len(current) + len(b) > (75 if not chunks else 74):
            chunks.append(current.decode())
            current = b""
        current += b
    chunks.append(current.decode())
    return "\r\n ".join(chunks)
