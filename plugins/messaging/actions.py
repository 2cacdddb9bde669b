"""The messaging actions, as a mixin of `MessagingPlugin`.

Recipients (``to``, ``cc``) are `Recipient` values: either the id of a contact entity in scope
(``contact:alice-chen``) or a literal address (``alice@example.org``). Their schema carries both
``"x-entity": "contact"`` and ``"format": "email"`` plus ``"x-sensitive": true``: the normalizer
turns a name into a contact id (`match_contacts`) or keeps an address, and the verifier asks the
user, showing the source, when the value came from untrusted text.
"""

from __future__ import annotations

import re
import uuid
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from actions import (
    ActionContext,
    ActionResult,
    Capabilities,
    Condition,
    Effect,
    Email,
    Entity,
    EntityRef,
    LongText,
    Provenance,
    Scope,
    Sensitive,
    ShortText,
    Step,
    action,
)
from actions.files import output_path, writes_inside
from actions.types import ENTITY_KEY
from plugins.messaging.channel import (
    ChannelError,
    MessageContent,
    MessageQuery,
    MessageSummary,
    OutgoingMessage,
    SendReceipt,
)
from plugins.messaging.contacts import Contact, ContactBook
from plugins.messaging.drafts import Draft, DraftStore
from plugins.messaging.email_channel import EmailChannel
from plugins.messaging.settings import MessagingSettings
from plugins.messaging.vcard import VCardError, dump_vcards, parse_vcards

__all__ = ["MessagingActions", "Recipient", "email_entity"]

_ADDR = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


_CONTACT_ID = re.compile(r"^contact:[a-z0-9][a-z0-9-]*$")


def _check_recipient(value: str) -> str:
    value = value.strip()
    if _CONTACT_ID.match(value):
        return value
    if not any(c in value for c in "\r\n,;") and _ADDR.match(parseaddr(value)[1] or "-"):
        return value
    raise ValueError("must be a contact id (contact:...) or one email address")


Recipient = Annotated[
    str,
    Field(max_length=320, description="a contact id in scope (contact:alice-chen) or an email "
                                      "address",
          json_schema_extra={ENTITY_KEY: "contact", "format": "email"}),
    AfterValidator(_check_recipient),
]


def email_entity(summary: MessageSummary, ordinal: int | None = None,
                 content: MessageContent | None = None) -> Entity:
    """An email on screen: ``email:<uid>``, "From Bob: Subject", untrusted."""
    name, addr = parseaddr(summary.sender)
    attributes: dict[str, Any] = {
        "from": summary.sender, "subject": summary.subject, "date": summary.date,
        "message_id": summary.message_id, "uid": summary.ref, "unread": summary.unread,
        "reply_to": summary.reply_to or summary.sender}
    if content is not None:
        attributes["body"] = content.body
    return Entity(id=f"email:{summary.ref}", type="email", scope=Scope.SCREEN, ordinal=ordinal,
                  label=f"From {name or addr}: {summary.subject}"[:200],
                  provenance=Provenance.untrusted(f"email from {addr or summary.sender}"),
                  attributes=attributes)


def _subject_from(body: str) -> str:
    first = body.strip().splitlines()[0] if body.strip() else ""
    return first[:60] + ("…" if len(first) > 60 else "")


class MessagingActions:
    """Action methods; the plugin provides the stores and the channel."""

    contacts: ContactBook
    drafts: DraftStore
    channel: EmailChannel
    mail_settings: MessagingSettings
    caps: Capabilities

    # -- helpers -------------------------------------------------------------------------------
    def address_of(self, value: str) -> str:
        """"Name <addr>" for a contact id or a literal address; ChannelError if none."""
        if value.startswith("contact:"):
            contact = self.contacts.get(value)
            if contact is None:
                raise ChannelError(f"no contact {value}")
            if not contact.email:
                raise ChannelError(f"{contact.name} has no email address")
            return formataddr((contact.name, contact.email))
        return value

    def who(self, address: str) -> str:
        contact = self.contacts.by_address(address)
        return f"{contact.name} <{contact.email}>" if contact else address

    def _uid(self, ctx: ActionContext, email_id: str) -> str:
        entity = ctx.entity(email_id)
        if entity is not None and entity.attributes.get("uid"):
            return str(entity.attributes["uid"])
        return email_id.removeprefix("email:")

    @staticmethod
    def _key(ctx: ActionContext) -> str:
        return ctx.idempotency_key or "gen-" + uuid.uuid4().hex

    def _sent(self, receipt: SendReceipt, what: str) -> ActionResult:
        refused = {self.who(a): why for a, why in receipt.refused.items()}
        message = ("Already sent earlier; not sent again" if receipt.duplicate
                   else f"{what} to {', '.join(self.who(a) for a in receipt.accepted)}")
        if refused:
            message += "; refused: " + "; ".join(f"{w} ({why})" for w, why in refused.items())
        return ActionResult(message=message, output={
            "message_id": receipt.message_id, "accepted": receipt.accepted,
            "refused": refused, "duplicate": receipt.duplicate})

    def _send(self, ctx: ActionContext, to: list[str], cc: list[str], subject: str, body: str,
              what: str = "Sent") -> ActionResult:
        try:
            message = OutgoingMessage(to=[self.address_of(r) for r in to],
                                      cc=[self.address_of(r) for r in cc], subject=subject,
                                      body=body)
            return self._sent(self.channel.send(message, key=self._key(ctx)), what)
        except (ChannelError, ValueError) as exc:
            return ActionResult.fail(str(exc))

    # -- conditions (bound per plugin instance in `MessagingPlugin.actions`) --------------------
    def cond_smtp(self, _ctx: ActionContext, _params: BaseModel) -> str | None:
        s = self.mail_settings
        if not s.smtp_host or not s.from_address:
            return "SMTP is not configured (smtp_host and from_address in [plugins.messaging])"
        return None

    def cond_imap(self, _ctx: ActionContext, _params: BaseModel) -> str | None:
        return None if self.mail_settings.imap_host else "IMAP is not configured (imap_host)"

    def cond_recipients(self, _ctx: ActionContext, params: BaseModel) -> str | None:
        values = [getattr(params, "to", "")] if isinstance(getattr(params, "to", None), str) \
            else []
        values += list(getattr(params, "cc", []) or [])
        for value in values:
            try:
                self.address_of(value)
            except ChannelError as exc:
                return str(exc)
        return None

    def cond_draft(self, _ctx: ActionContext, params: BaseModel) -> str | None:
        draft = self.drafts.get(getattr(params, "draft", ""))
        if draft is None:
            return "no such draft"
        return "this draft was already sent" if draft.sent_message_id else None

    def conditions(self) -> dict[str, list[Condition]]:
        smtp = Condition(name="smtp_configured", check=self.cond_smtp)
        imap = Condition(name="imap_configured", check=self.cond_imap)
        rcpt = Condition(name="recipient_has_address", check=self.cond_recipients)
        draft = Condition(name="draft_unsent", check=self.cond_draft)
        inside = writes_inside(self.files_dir,
                               lambda params: self._export_path(params.model_dump()["path"]))
        return {"export_vcard": [inside],
                "send_email": [smtp, rcpt], "draft_email": [rcpt], "send_draft": [smtp, draft],
                "reply_email": [smtp, imap], "forward_email": [smtp, imap, rcpt],
                "list_emails": [imap], "read_email": [imap], "mark_read": [imap],
                "mark_unread": [imap]}

    # -- contacts ---------------------------------------------------------------------------------
    @action(prompt_example=1, effect=Effect.LOCAL_WRITE, produces=["contact"],
            templates=["add {name} to my contacts", "add contact {name} {email}",
                       "add {name} {email} to my contacts", "save {email} as {name}",
                       "save [contact] {name}, {email}",
                       "add {name} [{email}] to my contacts as my {relation}"])
    def add_contact(self, ctx: ActionContext, name: ShortText, email: Email = "",
                    nicknames: tuple[ShortText, ...] = (),
                    relation: ShortText = "") -> ActionResult:
        """Add a person to the contact book (or add details to one of the same name).

        Args:
            name: full name, e.g. "Alice Chen"
            email: email address
            nicknames: other names the person goes by
            relation: how the user calls them, e.g. "mom", "boss"
        """
        if email and not _ADDR.match(email):
            return ActionResult.fail(f"not an email address: {email!r}")
        contact = self.contacts.add(Contact(name=name.strip(), emails=[email] if email else [],
                                            nicknames=list(nicknames), relation=relation))
        return ActionResult(message=f"Saved contact {contact.name}",
                            output={"id": contact.id, "email": contact.email},
                            entities=[contact.to_entity()])

    @action(templates=["list my contacts", "show my contacts", "find contact {query}"])
    def list_contacts(self, ctx: ActionContext, query: ShortText = "") -> ActionResult:
        """List contacts, or those matching a name, nickname, relation or address.

        Args:
            query: a person's name, nickname, relation or address to match; empty lists everyone
        """
        found = self.contacts.match_contacts(query) if query else self.contacts.entities()
        lines = [f"{e.label} <{e.attributes['email']}>" if e.attributes["email"] else e.label
                 for e in found]
        return ActionResult(message="\n".join(lines) or "No contacts",
                            output={"contacts": [e.id for e in found]}, entities=found)

    @action(effect=Effect.LOCAL_WRITE, produces=["contact"],
            templates=["import contacts from {path}", "import vcard {path}"])
    def import_vcard(self, ctx: ActionContext, path: ShortText) -> ActionResult:
        """Import contacts from a vCard (.vcf) file.

        Args:
            path: path of the .vcf file
        """
        try:
            text = Path(path).expanduser().read_text(encoding="utf-8")
            contacts = self.contacts.add_many(parse_vcards(text))
        except (OSError, UnicodeDecodeError, VCardError) as exc:
            return ActionResult.fail(f"cannot import {path}: {exc}")
        return ActionResult(message=f"Imported {len(contacts)} contacts",
                            output={"ids": [c.id for c in contacts]},
                            entities=[c.to_entity() for c in contacts])

    def files_dir(self) -> Path:
        """The folder exports go to (``files_dir``, else ``<plugin data>/files``)."""
        configured = self.mail_settings.files_dir
        return Path(configured).expanduser() if configured else self.caps.data_dir / "files"

    def _export_path(self, path: str) -> Path:
        return output_path(self.files_dir(), path)

    @action(effect=Effect.LOCAL_WRITE, templates=["export contacts to {path}",
                                                  "export vcard to {path}"])
    def export_vcard(self, ctx: ActionContext, path: Sensitive(ShortText)) -> ActionResult:  # type: ignore[valid-type]
        """Write every contact to a vCard 4.0 (.vcf) file.

        Args:
            path: file name inside lam's files folder; a path outside that folder is written
                only after the user confirms it
        """
        contacts = self.contacts.all()
        dest = self._export_path(path)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(dump_vcards(contacts), encoding="utf-8", newline="")
        except OSError as exc:
            return ActionResult.fail(f"cannot write {dest}: {exc}")
        return ActionResult(message=f"Exported {len(contacts)} contacts to {dest}",
                            output={"path": str(dest), "count": len(contacts)})

    # -- mail -------------------------------------------------------------------------------------
    @action(prompt_example=0, effect=Effect.EXTERNAL_SEND, consumes=["contact"],
            templates=["(email|mail) {to} (that|saying) {body}",
                       "email {to} about {subject} saying {body}",
                       "send an email to {to} saying {body}", "tell {to} by email that {body}",
                       "let {to} know [by email] that {body}",
                       "write to {to} and tell (her|him|them) [that] {body}",
                       "(text|message) {to} (that|saying) {body}",
                       "(ping|message|text) {to} (about|re) {body}",
                       "(drop|shoot|send) {to} (a|an) [quick] (line|note|message|text|mail|"
                       "email) (that|saying) {body}",
                       "(email|mail|send) (the page {body=the page}|this page {body=this page})"
                       " to {to}",
                       "(email|mail|send) {to} the link (to|of|for) {body}",
                       "(send|email|mail|share) (it {body=it}|that {body=that}) to {to}",
                       "(email|mail|send) {to} (the page {body=the page}|this page "
                       "{body=this page}|this link {body=this link}|the link {body=the link}|"
                       "that link {body=that link})"])
    def send_email(self, ctx: ActionContext, to: Sensitive(Recipient),  # type: ignore[valid-type]
                   body: LongText, subject: ShortText = "",
                   cc: Sensitive(tuple[Recipient, ...]) = ()) -> ActionResult:  # type: ignore[valid-type]
        """Send an email now.

        Args:
            to: recipient: a contact id or an email address
            body: the message text
            subject: subject line; empty = the body's first line
            cc: more recipients (contact ids or addresses)
        """
        return self._send(ctx, [to], list(cc), subject or _subject_from(body), body)

    @action(effect=Effect.LOCAL_WRITE, consumes=["contact"], produces=["draft"],
            templates=["draft an email to {to} saying {body}",
                       "draft an email to {to} about {subject} saying {body}"])
    def draft_email(self, ctx: ActionContext, to: Sensitive(Recipient),  # type: ignore[valid-type]
                    body: LongText, subject: ShortText = "",
                    cc: Sensitive(tuple[Recipient, ...]) = ()) -> ActionResult:  # type: ignore[valid-type]
        """Write an email to review before sending it with send_draft.

        Args:
            to: recipient: a contact id or an email address
            body: the message text
            subject: subject line; empty = the body's first line
            cc: more recipients
        """
        try:
            draft = self.drafts.add(Draft(to=[self.address_of(to)],
                                          cc=[self.address_of(c) for c in cc],
                                          subject=subject or _subject_from(body), body=body))
        except ChannelError as exc:
            return ActionResult.fail(str(exc))
        entity = draft.to_entity()
        return ActionResult(message=f"{entity.label}\n\n{body}", output={"id": draft.id},
                            entities=[entity])

    @action(effect=Effect.EXTERNAL_SEND, consumes=["draft"],
            templates=["send {draft}", "send the draft {draft}"])
    def send_draft(self, ctx: ActionContext,
                   draft: Sensitive(EntityRef("draft"))) -> ActionResult:  # type: ignore[valid-type]
        """Send a draft written earlier with draft_email.

        Args:
            draft: the draft's id
        """
        stored = self.drafts.get(draft)
        if stored is None:
            return ActionResult.fail(f"no draft {draft}")
        try:
            receipt = self.channel.send(OutgoingMessage(to=stored.to, cc=stored.cc,
                                                        subject=stored.subject,
                                                        body=stored.body),
                                        key=f"draft-{stored.token}")
        except ChannelError as exc:
            return ActionResult.fail(str(exc))
        self.drafts.mark_sent(stored, receipt.message_id)
        return self._sent(receipt, "Sent draft")

    @action(effect=Effect.EXTERNAL_SEND, consumes=["email"],
            templates=["reply to {email} (saying|that) {body}", "reply to {email} with {body}",
                       "answer {email} (saying|that) {body}",
                       "(reply to|answer) {email}: {body}",
                       "(reply to|answer) {email} [and] (tell (her|him|them)|say [to "
                       "(her|him|them)]) [that] {body}"])
    def reply_email(self, ctx: ActionContext,
                    email: Sensitive(EntityRef("email")),  # type: ignore[valid-type]
                    body: LongText) -> ActionResult:
        """Reply to an email (to its Reply-To or sender), keeping the thread.

        Args:
            email: the email to answer
            body: the reply text
        """
        try:
            receipt = self.channel.reply(self._uid(ctx, email), body, key=self._key(ctx))
        except ChannelError as exc:
            return ActionResult.fail(str(exc))
        return self._sent(receipt, "Replied")

    @action(effect=Effect.EXTERNAL_SEND, consumes=["email", "contact"],
            templates=["(forward|fwd) {email} to {to}",
                       "(forward|fwd) {email} to {to} saying {note}",
                       "(forward|fwd) {email} to {to} [and] (with|add|put|include) a note "
                       "[saying|that] {note}",
                       "(forward|send|pass) {email} on to {to}"])
    def forward_email(self, ctx: ActionContext, email: EntityRef("email"),  # type: ignore[valid-type]
                      to: Sensitive(Recipient),  # type: ignore[valid-type]
                      note: LongText = "") -> ActionResult:
        """Forward an email to someone, with an optional note above it.

        Args:
            email: the email to forward
            to: recipient: a contact id or an email address
            note: text to put above the forwarded message
        """
        try:
            receipt = self.channel.forward(self._uid(ctx, email), [self.address_of(to)], note,
                                           key=self._key(ctx))
        except ChannelError as exc:
            return ActionResult.fail(str(exc))
        return self._sent(receipt, "Forwarded")

    @action(prompt_example=2, produces=["email"],
            templates=["check my email",
                       "(list|show|check) my [(unread|new) {unread=true}] (emails|email|mail)",
                       "do i have [any] (unread|new) {unread=true} (emails|email|mail|mails)",
                       "show emails from {sender}", "find emails about {subject}",
                       "(find|show|list) [me] [the|my] [(last|latest) {limit}] (emails|mail) "
                       "with {subject} in the subject"])
    def list_emails(self, ctx: ActionContext, sender: ShortText = "", unread: bool = False,
                    subject: ShortText = "",
                    limit: Annotated[int, Field(ge=1, le=50)] = 10) -> ActionResult:
        """List recent emails in the inbox, newest first, optionally filtered.

        Args:
            sender: only mail from this person (contact id, name or address)
            unread: only unread (new) mail
            subject: only mail whose subject contains these words
            limit: at most this many
        """
        if sender.startswith("contact:"):
            contact = self.contacts.get(sender)
            sender = contact.email if contact and contact.email else sender
        elif sender and "@" not in sender:
            match = self.contacts.resolve(sender)
            if match.entity is not None and match.entity.attributes["email"]:
                sender = match.entity.attributes["email"]
        try:
            found = self.channel.list_messages(MessageQuery(sender=sender, subject=subject,
                                                            unread=unread, limit=limit))
        except ChannelError as exc:
            return ActionResult.fail(str(exc))
        entities = [email_entity(m, i) for i, m in enumerate(found, 1)]
        lines = [f"{i}. {'* ' if m.unread else ''}{e.label} ({m.date})"
                 for i, (m, e) in enumerate(zip(found, entities, strict=True), 1)]
        return ActionResult(message="\n".join(lines) or "No emails",
                            output={"emails": [e.id for e in entities]}, entities=entities)

    @action(consumes=["email"], templates=["read {email}", "open {email}", "show {email}"])
    def read_email(self, ctx: ActionContext, email: EntityRef("email")  # type: ignore[valid-type]
                   ) -> ActionResult:
        """Show one email in full. Its body is untrusted text from the sender.

        Args:
            email: the email to read
        """
        try:
            content = self.channel.read_message(self._uid(ctx, email))
        except ChannelError as exc:
            return ActionResult.fail(str(exc))
        s = content.summary
        shown = ctx.entity(email)
        entity = email_entity(s, shown.ordinal if shown else None, content)
        return ActionResult(
            message=f"From: {s.sender}\nDate: {s.date}\nSubject: {s.subject}\n\n{content.body}",
            output={"from": s.sender, "subject": s.subject, "date": s.date,
                    "body": content.body, "trusted": False,
                    "source": entity.provenance.source},
            entities=[entity])

    @action(effect=Effect.LOCAL_WRITE, consumes=["email"],
            inverse=lambda params, _result: _flag_step("mark_unread", params),
            templates=["mark {email} as read", "mark {email} read"])
    def mark_read(self, ctx: ActionContext, email: EntityRef("email")  # type: ignore[valid-type]
                  ) -> ActionResult:
        """Mark an email as read.

        Args:
            email: the email
        """
        return self._flag(ctx, email, seen=True)

    @action(effect=Effect.LOCAL_WRITE, consumes=["email"],
            inverse=lambda params, _result: _flag_step("mark_read", params),
            templates=["mark {email} as unread", "mark {email} unread"])
    def mark_unread(self, ctx: ActionContext, email: EntityRef("email")  # type: ignore[valid-type]
                    ) -> ActionResult:
        """Mark an email as unread again.

        Args:
            email: the email
        """
        return self._flag(ctx, email, seen=False)

    def _flag(self, ctx: ActionContext, email: str, *, seen: bool) -> ActionResult:
        try:
            self.channel.mailbox.set_seen(self._uid(ctx, email), seen)
        except ChannelError as exc:
            return ActionResult.fail(str(exc))
        return ActionResult(message=f"Marked {email} as {'read' if seen else 'unread'}",
                            output={"email": email})


def _flag_step(name: str, params: BaseModel) -> Step:
    return Step(action=name, args={"email": getattr(params, "email", "")})
