"""One SMTP delivery attempt over smtplib (STARTTLS, implicit TLS or plain; AUTH), with every
outcome classified: sent, temporary (4xx, retry), permanent (5xx) or unknown (the connection
broke after the message was handed over).

``smtp_security = "plain"`` with a password is refused before connecting (the password would
cross the network in clear text) unless the host is loopback or ``allow_plaintext_auth`` is set.
"""

from __future__ import annotations

import ipaddress
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from plugins.messaging.settings import Credentials, MessagingSettings

__all__ = ["Outcome", "SmtpAttempt", "SmtpSender", "is_loopback_host", "plaintext_auth_refusal",
           "tls_context"]


class Outcome(StrEnum):
    SENT = "sent"
    TEMPORARY = "temporary"
    PERMANENT = "permanent"
    UNKNOWN = "unknown"


@dataclass
class SmtpAttempt:
    """Result of one attempt. ``refused`` maps recipient -> "550 reason"; ``temp_refused`` are
    the refused ones whose code was 4xx (worth retrying)."""

    outcome: Outcome
    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    temp_refused: list[str] = field(default_factory=list)
    error: str = ""
    code: int | None = None


def tls_context(settings: MessagingSettings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(settings.cafile_path)
                                      if settings.cafile_path else None)


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _classify(code: int) -> Outcome:
    return Outcome.TEMPORARY if 400 <= code < 500 else Outcome.PERMANENT


def is_loopback_host(host: str) -> bool:
    """``localhost``, ``*.localhost``, ``127.0.0.0/8`` or ``::1`` (by name, not resolved)."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def plaintext_auth_refusal(settings: MessagingSettings, credentials: Credentials | None,
                           protocol: Literal["smtp", "imap"] = "smtp") -> str | None:
    """Why lam will not log in to the SMTP (or IMAP) server over an unencrypted connection, or
    None when it may."""
    security = settings.smtp_security if protocol == "smtp" else settings.imap_security
    host = settings.smtp_host if protocol == "smtp" else settings.imap_host
    if (security != "plain" or credentials is None
            or settings.allow_plaintext_auth or is_loopback_host(host)):
        return None
    return (f'{protocol}_security = "plain" would send the password for {credentials.username} '
            f"in clear text to {host}; set {protocol}_security to \"starttls\" or \"tls\" "
            "under [plugins.messaging], or set allow_plaintext_auth = true there to allow it")


class SmtpSender:
    """Sends raw messages through the configured SMTP server, one connection per attempt."""

    def __init__(self, settings: MessagingSettings, credentials: Credentials | None) -> None:
        self.settings = settings
        self.credentials = credentials

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        timeout = s.timeout_seconds
        smtp: smtplib.SMTP
        if s.smtp_security == "tls":
            smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=timeout,
                                    context=tls_context(s))
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=timeout)
        try:
            smtp.ehlo()
            if s.smtp_security == "starttls":
                smtp.starttls(context=tls_context(s))
                smtp.ehlo()
            if self.credentials is not None and smtp.has_extn("auth"):
                smtp.login(self.credentials.username, self.credentials.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> SmtpAttempt:
        """One attempt to hand ``raw`` over for ``recipients``; never raises for SMTP trouble."""
        handed_over = False
        refusal = plaintext_auth_refusal(self.settings, self.credentials)
        if refusal is not None:
            return SmtpAttempt(Outcome.PERMANENT, error=refusal)
        try:
            smtp = self._connect()
        except smtplib.SMTPAuthenticationError as exc:
            return SmtpAttempt(Outcome.PERMANENT, error="login refused: "
                               + _reply(exc.smtp_code, exc.smtp_error), code=exc.smtp_code)
        except smtplib.SMTPResponseException as exc:
            return SmtpAttempt(_classify(exc.smtp_code), error=_reply(exc.smtp_code,
                                                                        exc.smtp_error),
                               code=exc.smtp_code)
        except ssl.SSLCertVerificationError as exc:
            return SmtpAttempt(Outcome.PERMANENT, error=f"certificate of "
                               f"{self.settings.smtp_host} not trusted: {exc.verify_message} "
                               "(set cafile in [plugins.messaging] for a private CA)")
        except (OSError, smtplib.SMTPException) as exc:
            return SmtpAttempt(Outcome.TEMPORARY, error=f"cannot connect to "
                               f"{self.settings.smtp_host}:{self.settings.smtp_port}: {exc}")
        try:
            code, text = smtp.mail(sender)
            if code != 250:
                return SmtpAttempt(_classify(code), error="sender refused: " + _reply(code, text),
                                   code=code)
            accepted, refused, temp = [], {}, []
            for rcpt in recipients:
                code, text = smtp.rcpt(rcpt)
                if code in (250, 251):
                    accepted.append(rcpt)
                else:
                    refused[rcpt] = _reply(code, text)
                    if 400 <= code < 500:
                        temp.append(rcpt)
                    if code == 421:
                        break
            if not accepted:
                outcome = Outcome.TEMPORARY if temp else Outcome.PERMANENT
                why = "; ".join(f"{r} ({w})" for r, w in refused.items())
                return SmtpAttempt(outcome, refused=refused, temp_refused=temp,
                                   error=f"all recipients refused: {why}")
            code, text = smtp.docmd("DATA")
            if code != 354:
                return SmtpAttempt(_classify(code), error=_reply(code, text), code=code)
            payload = re.sub(rb"(?m)^\.", b"..", raw.replace(b"\r\n", b"\n")
                             .replace(b"\n", b"\r\n"))
            if not payload.endswith(b"\r\n"):
                payload += b"\r\n"
            handed_over = True
            smtp.send(payload + b".\r\n")
            code, text = smtp.getreply()
            if code != 250:
                return SmtpAttempt(_classify(code), error=_reply(code, text), code=code)
            return SmtpAttempt(Outcome.SENT, accepted=accepted, refused=refused,
                               temp_refused=temp)
        except smtplib.SMTPResponseException as exc:
            return SmtpAttempt(_classify(exc.smtp_code),
                               error=_reply(exc.smtp_code, exc.smtp_error), code=exc.smtp_code)
        except (OSError, smtplib.SMTPException) as exc:
            if handed_over:
                return SmtpAttempt(Outcome.UNKNOWN,
                                   error=f"connection lost after the message was sent: {exc}")
            return SmtpAttempt(Outcome.TEMPORARY, error=f"connection lost: {exc}")
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
