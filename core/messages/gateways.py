"""Where messages go: a gateway per channel, chosen by settings.

- ``local`` (the embedded default for both channels): the message never leaves the machine; it
  is marked sent and its body stays readable on the admin outbox page, so the demo and the tests
  can read codes.
- SMS over an HTTP gateway (``SMS_GATEWAY=http``) and e-mail over SMTP (``SMTP_HOST``) in
  production: the admin page then shows status only, never content.

A gateway raises ``GatewayError`` for a failure worth retrying later.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx

from core.settings import Settings, get_settings


class GatewayError(Exception):
    """Sending failed; the worker retries later (the message says why, without the body or the
    recipient). ``final=True``: retrying cannot help (the gateway refused the message itself,
    e.g. HTTP 400/401/403 or SMTP 5xx), the worker marks it failed at once."""

    def __init__(self, message: str, *, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


@dataclass(frozen=True)
class Outgoing:
    """What a gateway needs of an outbox row."""

    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    idempotency_key: str


class Gateway(Protocol):
    """Sends one message and returns the gateway's reference for it."""

    #: True when message bodies stay on this machine and may be shown on the admin page.
    local: bool

    async def send(self, message: Outgoing) -> str: ...


class LocalGateway:
    """The embedded default: nothing leaves the machine; the outbox row is the delivery."""

    local = True

    async def send(self, message: Outgoing) -> str:
        return f"local-{message.id}"


_overrides: dict[str, Gateway] = {}


def use_gateway(channel: str, gateway: Gateway | None) -> None:
    """Replace the gateway of a channel (tests); None restores the configured one."""
    if gateway is None:
        _overrides.pop(channel, None)
    else:
        _overrides[channel] = gateway


_SIGN = re.compile(r"^【[^】]{1,20}】")


class HttpSmsGateway:
    """SMS through a provider's HTTP gateway (``SMS_GATEWAY=http``).

    Sends ``POST SMS_GATEWAY_URL`` with JSON ``{"to": mobile, "text": body, "id": outbox id}``,
    ``Authorization: Bearer SMS_GATEWAY_TOKEN`` and ``Idempotency-Key: <the message's key>``
    (a retried send after a lost answer is then not delivered twice by a gateway that honours
    it). ``SMS_SIGN`` (e.g. 【某某平台】) replaces the text's leading 【…】 signature.
    Answers: 2xx = sent (the reference is the reply's ``id``/``message_id``/``ref`` if any);
    429, 5xx, timeouts and connection errors = GatewayError (retried); any other 4xx and 3xx =
    GatewayError(final=True). Error texts carry the status only, never the body or number."""

    local = False

    def __init__(self, url: str, token: str = "", sign: str = "", timeout_s: float = 10.0) -> None:
        self.url, self.token, self.sign, self.timeout_s = url, token, sign, timeout_s

    def text_of(self, body: str) -> str:
        """The body as sent: with ``SMS_SIGN`` in place of its own signature when set."""
        if not self.sign:
            return body
        return self.sign + _SIGN.sub("", body, count=1)

    async def send(self, message: Outgoing) -> str:
        headers = {"Idempotency-Key": message.idempotency_key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = {"to": message.recipient, "text": self.text_of(message.body), "id": message.id}
        # httpx (with rich and pygments, several MB) only where an HTTP gateway sends: not in
        # every web process
        import httpx

        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                response = await client.post(self.url, json=payload, headers=headers)
        except httpx.TimeoutException as error:
            raise GatewayError("短信网关超时") from error
        except httpx.HTTPError as error:
            raise GatewayError(f"短信网关无法连接（{type(error).__name__}）") from error
        status = response.status_code
        if 200 <= status < 300:
            return _reference(response) or f"http-{message.id}"
        if status == 429 or status >= 500:
            raise GatewayError(f"短信网关答复 {status}，稍后重试")
        raise GatewayError(f"短信网关拒绝（答复 {status}），不再重试", final=True)


def _reference(response: httpx.Response) -> str:
    try:
        reply = response.json()
    except ValueError:
        return ""
    if isinstance(reply, dict):
        for key in ("id", "message_id", "ref"):
            if reply.get(key) not in (None, ""):
                return str(reply[key])[:120]
    return ""


def message_id_for(idempotency_key: str, sender: str) -> str:
    """The e-mail's Message-ID, derived from the outbox idempotency key: a retried send carries
    the same Message-ID, so receiving systems can drop the duplicate (RFC 5322 §3.6.4)."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{digest}@{domain}>"


class SmtpMailer:
    """E-mail over SMTP (``SMTP_HOST`` set), with the standard library's smtplib in a worker
    thread: one connection per message, STARTTLS (default), implicit TLS (``ssl``) or none
    (``none``, a relay on a trusted network), login when ``SMTP_USER`` is set.
    Connection errors, timeouts and 4xx answers = GatewayError (retried); 5xx answers (refused
    sender or recipient, rejected content) = GatewayError(final=True)."""

    local = False

    def __init__(self, host: str, port: int, sender: str, *, user: str = "", password: str = "",
                 security: str = "starttls", timeout_s: float = 20.0) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.security = user, password, security
        self.timeout_s = timeout_s

    def build(self, message: Outgoing) -> EmailMessage:
        """The e-mail as sent (plain text, UTF-8)."""
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject or "托育从业人员平台通知"
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = message_id_for(message.idempotency_key, self.sender)
        mail.set_content(message.body)
        return mail

    async def send(self, message: Outgoing) -> str:
        return await asyncio.to_thread(self._send, message)

    def _send(self, message: Outgoing) -> str:
        mail = self.build(message)
        try:
            if self.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout_s,
                    context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
            with smtp:
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            code = codes[0] if codes else 550
            raise GatewayError(f"邮件服务器拒收收件人（{code}）", final=code >= 500) from error
        except smtplib.SMTPResponseException as error:
            raise GatewayError(f"邮件服务器答复 {error.smtp_code}",
                               final=error.smtp_code >= 500) from error
        except (smtplib.SMTPException, OSError) as error:
            raise GatewayError(f"邮件服务器无法连接（{type(error).__name__}）") from error
        return mail["Message-ID"]


def gateway_for(channel: str, settings: Settings | None = None) -> Gateway:
    """The gateway configured for ``channel`` ("sms" or "email"): a test's override, else
    ``SMS_GATEWAY`` (local | http) for SMS and ``SMTP_HOST`` (empty = local) for e-mail."""
    if channel in _overrides:
        return _overrides[channel]
    settings = settings or get_settings()
    if channel == "sms" and settings.sms_gateway == "http":
        return HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_token,
                              settings.sms_sign)
    if channel == "email" and settings.smtp_host:
        return SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_from,
                          user=settings.smtp_user, password=settings.smtp_password,
                          security=settings.smtp_security)
    return LocalGateway()


def content_visible(settings: Settings | None = None) -> bool:
    """Whether the admin outbox page may show message bodies: only when every channel is local
    (any real gateway configured: status only, never content)."""
    return all(gateway_for(channel, settings).local for channel in ("sms", "email"))
