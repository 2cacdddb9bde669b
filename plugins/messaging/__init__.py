"""The messaging plugin: a contact book, email over SMTP/IMAP through a crash-safe outbox, and
a channel interface for other messaging services (docs/messaging.md, docs/channels.md)."""

from __future__ import annotations

from actions import ActionSpec, Capabilities, Entity, Plugin
from plugins.messaging.actions import MessagingActions, Recipient, email_entity
from plugins.messaging.channel import Channel, ChannelError
from plugins.messaging.contacts import Contact, ContactBook, ContactMatch
from plugins.messaging.drafts import DraftStore
from plugins.messaging.email_channel import EmailChannel
from plugins.messaging.outbox import State
from plugins.messaging.settings import MessagingSettings, load_credentials

__all__ = [
    "Channel",
    "ChannelError",
    "Contact",
    "ContactMatch",
    "MessagingPlugin",
    "MessagingSettings",
    "Recipient",
    "email_entity",
]


class MessagingPlugin(MessagingActions, Plugin):
    """Contacts, email and drafts. Stores live in the plugin's data directory."""

    name = "messaging"
    settings_model = MessagingSettings

    def __init__(self, caps: Capabilities) -> None:
        super().__init__(caps)
        assert isinstance(caps.settings, MessagingSettings)
        self.mail_settings = caps.settings
        data = caps.data_dir
        data.mkdir(parents=True, exist_ok=True)
        self.contacts = ContactBook(data / "contacts.sqlite3")
        self.drafts = DraftStore(data / "drafts.sqlite3")
        self.channel = EmailChannel(caps.settings, load_credentials(caps.settings),
                                    data / "outbox.sqlite3", now=caps.clock)

    def actions(self) -> list[ActionSpec]:
        specs = super().actions()
        conditions = self.conditions()
        for spec in specs:
            spec.preconditions = [*spec.preconditions, *conditions.get(spec.name, [])]
        return specs

    def background_entities(self) -> list[Entity]:
        return self.contacts.entities() + [d.to_entity() for d in self.drafts.unsent()]

    def match_contacts(self, text: str) -> list[Entity]:
        """Contact entities that ``text`` may name, best first (for the resolver)."""
        return self.contacts.match_contacts(text)

    def resolve_contact(self, text: str) -> ContactMatch:
        """One contact, or a question such as "Alice Chen or Alice Park?" with options."""
        return self.contacts.resolve(text)

    def start(self) -> None:
        """Finish sends a crash left unfinished (see docs/messaging.md, "Outbox")."""
        try:
            entries = self.channel.reconcile()
        except ChannelError as exc:
            self.caps.notify(f"messaging: outbox not reconciled: {exc}")
            return
        for e in entries:
            if e.state is State.SENT:
                how = "found in the Sent folder" if e.confirmed_by_check else "sent"
                self.caps.notify(f"messaging: unfinished message {e.message_id} {how}")
            elif e.state is State.FAILED:
                self.caps.notify(f"messaging: message {e.message_id} failed: {e.error}")
            else:
                self.caps.notify(f"messaging: message {e.message_id} still pending: {e.error}")

    def close(self) -> None:
        self.channel.close()
        self.contacts.close()
        self.drafts.close()

    def doctor(self) -> list[str]:
        s, out = self.mail_settings, []
        if not s.smtp_host or not s.from_address:
            out.append("messaging: set smtp_host and from_address in [plugins.messaging] "
                       "to send mail")
        if not s.imap_host:
            out.append("messaging: set imap_host in [plugins.messaging] to read mail")
        if (s.smtp_host or s.imap_host) and load_credentials(s) is None:
            out.append("messaging: no mail password: set LAM_MAIL_USER/LAM_MAIL_PASSWORD or run "
                       f"`keyring set lam-mail {s.login or '<username>'}`")
        stuck = self.channel.outbox.unfinished()
        if stuck:
            out.append(f"messaging: {len(stuck)} message(s) in the outbox not sent yet; they are "
                       "retried at start-up")
        return out

