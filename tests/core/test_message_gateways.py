"""Real gateways against real local servers: the HTTP SMS gateway against an http.server in a
thread, the SMTP mailer against aiosmtpd. No mocks of httpx or smtplib. Also: settings pick the
gateway and refuse a half configuration."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from core.messages import delivery, gateways
from core.messages.gateways import (
    GatewayError,
    HttpSmsGateway,
    LocalGateway,
    Outgoing,
    SmtpMailer,
    message_id_for,
)
from core.messages.outbox import enqueue
from core.settings import get_settings, load_settings

PHONE = "13812345678"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmsServer:
    """A tiny SMS gateway: records each request; answers ``status`` with ``reply``."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.reply: bytes = b'{"id": "gw-42"}'
        self.stalled = False  # a slow gateway: answers only once ``release`` is set
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 — http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                server.requests.append({"path": self.path, "headers": dict(self.headers),
                                        "json": json.loads(self.rfile.read(length))})
                if server.stalled:
                    server.release.wait(30)  # the client times out first
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(server.reply)))
                self.end_headers()
                self.wfile.write(server.reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1/sms"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def sms_server() -> Iterator[SmsServer]:
    server = SmsServer()
    yield server
    server.close()


def outgoing(**changes: Any) -> Outgoing:
    base = Outgoing(id=7, channel="sms", recipient=PHONE, subject="",
                    body="【托育从业人员平台】您的证书已颁发。",
                    idempotency_key="certificate:7:issued")
    return replace(base, **changes)


def test_http_gateway_posts_json_with_token_and_idempotency_key(run: Any,
                                                                sms_server: SmsServer) -> None:
    gateway = HttpSmsGateway(sms_server.url, token="s3cret")
    assert run(gateway.send, outgoing()) == "gw-42"
    request = sms_server.requests[0]
    assert request["path"] == "/v1/sms"
    assert request["json"] == {"to": PHONE, "text": "【托育从业人员平台】您的证书已颁发。", "id": 7}
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert request["headers"]["Idempotency-Key"] == "certificate:7:issued"


def test_http_gateway_sign_replaces_the_texts_own(run: Any, sms_server: SmsServer) -> None:
    run(HttpSmsGateway(sms_server.url, sign="【某市人社】").send, outgoing())
    assert sms_server.requests[0]["json"]["text"] == "【某市人社】您的证书已颁发。"


def test_http_gateway_without_a_reference_in_the_reply(run: Any, sms_server: SmsServer) -> None:
    sms_server.status, sms_server.reply = 202, b"accepted"
    assert run(HttpSmsGateway(sms_server.url).send, outgoing()) == "http-7"


@pytest.mark.parametrize(("status", "final"), [(500, False), (503, False), (429, False),
                                               (400, True), (401, True), (403, True)])
def test_http_gateway_errors(run: Any, sms_server: SmsServer, status: int, final: bool) -> None:
    sms_server.status, sms_server.reply = status, b'{"error": "13812345678 bad"}'
    with pytest.raises(GatewayError) as raised:
        run(HttpSmsGateway(sms_server.url).send, outgoing())
    assert raised.value.final is final and str(status) in str(raised.value)
    assert PHONE not in str(raised.value)  # the reply's text is not copied into the error


def test_http_gateway_timeout_and_refused_connection_are_retried(run: Any,
                                                                 sms_server: SmsServer) -> None:
    sms_server.stalled = True
    with pytest.raises(GatewayError, match="超时") as raised:
        run(HttpSmsGateway(sms_server.url, timeout_s=0.2).send, outgoing())
    sms_server.release.set()
    assert not raised.value.final
    with pytest.raises(GatewayError, match="无法连接") as raised:
        run(HttpSmsGateway(f"http://127.0.0.1:{free_port()}/").send, outgoing())
    assert not raised.value.final


def test_outbox_delivers_through_the_http_gateway(run: Any, outbox: Any, clock: Any,
                                                  sms_server: SmsServer) -> None:
    clock.set_now(clock.now())
    gateways.use_gateway("sms", HttpSmsGateway(sms_server.url))
    try:
        sms_server.status = 503
        run(enqueue, "sms", PHONE, "证书已颁发", kind="notice", idempotency_key="cert:9:issued")
        assert outbox.deliver() == 0
        assert outbox.messages()[0]["state"] == "pending"
        sms_server.status = 200
        clock.advance(timedelta(seconds=delivery.RETRY_DELAYS_S[0] + 1))
        assert outbox.deliver() == 1
        row = outbox.messages()[0]
        assert row["state"] == "sent" and row["gateway_ref"] == "gw-42"
        # both tries carried the same key: the gateway can drop a duplicate
        assert {r["headers"]["Idempotency-Key"] for r in sms_server.requests} == {"cert:9:issued"}
        # a 4xx refusal is final: failed at once, not retried five times
        sms_server.status = 400
        run(enqueue, "sms", PHONE, "再次通知", kind="notice", idempotency_key="cert:9:x")
        assert outbox.deliver() == 0
        assert outbox.messages()[-1]["state"] == "failed"
        assert outbox.messages()[-1]["attempts"] == 1
    finally:
        gateways.use_gateway("sms", None)


class Inbox:
    """An aiosmtpd handler keeping what it received."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def smtp_server(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def mailer(port: int) -> SmtpMailer:
    return SmtpMailer("127.0.0.1", port, "registry@example.gov.cn", security="none",
                      timeout_s=5)


def test_email_notice_is_delivered_over_smtp(run: Any, outbox: Any) -> None:
    port = free_port()
    controller, inbox = smtp_server(port)
    gateways.use_gateway("email", mailer(port))
    try:
        run(enqueue, "email", "operator@example.com", "贵机构的备案已受理。\n回执编号：X",
            kind="notice", subject="备案已受理", idempotency_key="filing:3:accepted")
        assert outbox.deliver() == 1
    finally:
        gateways.use_gateway("email", None)
        controller.stop()
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "registry@example.gov.cn"
    assert envelope.rcpt_tos == ["operator@example.com"]
    mail = message_from_bytes(envelope.original_content)
    assert str(make_header(decode_header(mail["Subject"]))) == "备案已受理"
    assert mail["To"] == "operator@example.com"
    assert mail.get_payload(decode=True).decode("utf-8").startswith("贵机构的备案已受理。")
    expected_id = message_id_for("filing:3:accepted", "registry@example.gov.cn")
    assert mail["Message-ID"] == expected_id
    assert outbox.messages()[0]["gateway_ref"] == expected_id


def test_refused_smtp_connection_is_retried_later(run: Any, outbox: Any, clock: Any) -> None:
    clock.set_now(clock.now())
    port = free_port()  # nothing listens there yet
    gateways.use_gateway("email", mailer(port))
    try:
        run(enqueue, "email", "operator@example.com", "通知正文", kind="notice", subject="通知")
        assert outbox.deliver() == 0
        row = outbox.messages()[0]
        assert row["state"] == "pending" and "无法连接" in row["last_error"]
        controller, inbox = smtp_server(port)
        try:
            assert outbox.deliver() == 0  # not due yet
            clock.advance(timedelta(seconds=delivery.RETRY_DELAYS_S[0] + 1))
            assert outbox.deliver() == 1
        finally:
            controller.stop()
    finally:
        gateways.use_gateway("email", None)
    assert outbox.messages()[0]["state"] == "sent" and outbox.messages()[0]["attempts"] == 2
    assert len(inbox.envelopes) == 1


def test_smtp_refusal_of_the_recipient_is_final(run: Any) -> None:
    class Refusing:
        async def handle_RCPT(self, server: Any, session: Any, envelope: Any,  # noqa: N802
                              address: str, options: list[str]) -> str:
            return "550 5.1.1 no such user"

    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(GatewayError) as raised:
            run(mailer(port).send, outgoing(channel="email", recipient="nobody@example.com"))
    finally:
        controller.stop()
    assert raised.value.final and "550" in str(raised.value)
    assert "nobody" not in str(raised.value)


def test_settings_choose_the_gateways() -> None:
    embedded = get_settings()
    assert isinstance(gateways.gateway_for("sms", embedded), LocalGateway)
    assert isinstance(gateways.gateway_for("email", embedded), LocalGateway)
    assert gateways.content_visible(embedded)
    with_sms = embedded.model_copy(update={
        "sms_gateway": "http", "sms_gateway_url": "https://sms.example/v1",
        "sms_gateway_token": "t"})
    sms = gateways.gateway_for("sms", with_sms)
    assert isinstance(sms, HttpSmsGateway) and sms.url == "https://sms.example/v1"
    assert not gateways.content_visible(with_sms)
    with_smtp = embedded.model_copy(update={"smtp_host": "smtp.example",
                                            "smtp_from": "a@example.gov.cn"})
    assert isinstance(gateways.gateway_for("email", with_smtp), SmtpMailer)
    assert not gateways.content_visible(with_smtp)


@pytest.mark.parametrize(("env", "message"), [
    ({"SMS_GATEWAY": "http"}, "SMS_GATEWAY=http 时须设置 SMS_GATEWAY_URL"),
    ({"SMS_GATEWAY": "carrier-pigeon"}, "SMS_GATEWAY 应为 local 或 http"),
    ({"SMTP_HOST": "smtp.example"}, "设置了 SMTP_HOST 时须设置 SMTP_FROM"),
    ({"SMTP_HOST": "smtp.example", "SMTP_FROM": "a@b.cn", "SMTP_USER": "u"},
     "SMTP_USER 与 SMTP_PASSWORD 须同时设置"),
    ({"SMTP_SECURITY": "tls13"}, "SMTP_SECURITY 应为 starttls、ssl 或 none"),
])
def test_half_configurations_are_refused_at_start_up(monkeypatch: pytest.MonkeyPatch,
                                                     env: dict[str, str], message: str) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        load_settings()


def test_a_complete_configuration_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("SMS_GATEWAY", "http")
    monkeypatch.setenv("SMS_GATEWAY_URL", "https://sms.example/v1")
    monkeypatch.setenv("SMTP_HOST", "smtp.example")
    monkeypatch.setenv("SMTP_FROM", "registry@example.gov.cn")
    monkeypatch.setenv("SMTP_SECURITY", "ssl")
    settings = load_settings()
    assert settings.sms_gateway == "http" and settings.smtp_port == 465
