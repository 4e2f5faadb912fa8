"""Where messages go: a gateway per channel, chosen by settings.

- ``local`` (the embedded default for both channels): the message never leaves the machine; it
  is marked sent and its body stays readable on the admin outbox page, so the demo and the tests
  can read codes.
- SMS over an HTTP gateway (``SMS_GATEWAY=http``) and e-mail over SMTP (``SMTP_HOST``) in
  production: the admin page then shows status only, never content.

A gateway raises ``GatewayError`` for a failure worth retrying later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class GatewayError(Exception):
    """Sending failed; the worker retries later (the message says why, without the body)."""


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


def gateway_for(channel: str) -> Gateway:
    """The gateway configured for ``channel`` ("sms" or "email")."""
    if channel in _overrides:
        return _overrides[channel]
    return LocalGateway()


def content_visible() -> bool:
    """Whether the admin outbox page may show message bodies: only when every channel is local."""
    return all(gateway_for(channel).local for channel in ("sms", "email"))
