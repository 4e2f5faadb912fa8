"""One-time SMS codes and the outbox's delivery: codes expire, count tries, throttle resends;
delivery retries with growing delays, never logs bodies, and clears codes sent to a real
gateway."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from core import otp
from core.errors import ValidationError
from core.messages import delivery, gateways
from core.messages.gateways import GatewayError, Outgoing
from core.messages.outbox import enqueue, mask_recipient
from core.messages.tables import Message, OneTimeCode, ReminderOptOut

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _frozen_clock(clock: Any) -> None:
    clock.set_now(clock.now())


def test_code_is_accepted_once(run: Any, outbox: Any, clock: Any) -> None:
    run(otp.send_code, "claim", "user:1", PHONE)
    code = outbox.last_code(PHONE)
    assert code is not None and len(code) == 6
    run(otp.check_code, "claim", "user:1", code)
    with pytest.raises(ValidationError, match="已失效"):
        run(otp.check_code, "claim", "user:1", code)


def test_code_is_only_stored_as_hmac(run: Any, outbox: Any) -> None:
    run(otp.send_code, "claim", "user:1", PHONE)
    code = outbox.last_code(PHONE)
    rows = run(OneTimeCode.select())
    assert len(rows) == 1 and code not in rows[0]["code_hash"]


def test_code_expires_after_ten_minutes(run: Any, outbox: Any, clock: Any) -> None:
    run(otp.send_code, "claim", "user:1", PHONE)
    code = outbox.last_code(PHONE)
    clock.advance(timedelta(minutes=10, seconds=1))
    with pytest.raises(ValidationError, match="已失效") as raised:
        run(otp.check_code, "claim", "user:1", code)
    assert raised.value.field == "code"


def test_five_wrong_tries_kill_the_code(run: Any, outbox: Any) -> None:
    run(otp.send_code, "claim", "user:1", PHONE)
    code = outbox.last_code(PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    messages = []
    for _ in range(5):
        with pytest.raises(ValidationError) as raised:
            run(otp.check_code, "claim", "user:1", wrong)
        messages.append(raised.value.message)
    assert messages[0] == "验证码不正确，还可尝试 4 次"
    assert messages[-1] == "验证码错误次数过多，请重新获取"
    with pytest.raises(ValidationError, match="次数过多"):  # the right code is now too late
        run(otp.check_code, "claim", "user:1", code)


@pytest.mark.parametrize("bad", ["", "12345", "1234567", "12a456", "１２３４５６"])
def test_malformed_codes_are_refused_without_counting(run: Any, outbox: Any, bad: str) -> None:
    run(otp.send_code, "claim", "user:1", PHONE)
    with pytest.raises(ValidationError, match="6 位数字验证码"):
        run(otp.check_code, "claim", "user:1", bad)
    assert run(OneTimeCode.select(OneTimeCode.tries))[0]["tries"] == 0


def test_codes_of_other_subjects_do_not_count(run: Any, outbox: Any) -> None:
    run(otp.send_code, "claim", "user:1", PHONE)
    code = outbox.last_code(PHONE)
    with pytest.raises(ValidationError):
        run(otp.check_code, "claim", "user:2", code)
    with pytest.raises(ValidationError):
        run(otp.check_code, "reset", "user:1", code)


def test_resend_is_throttled(run: Any, outbox: Any, clock: Any) -> None:
    run(otp.send_code, "claim", "user:1", PHONE)
    first = outbox.last_code(PHONE)
    with pytest.raises(otp.CodeThrottled) as raised:
        run(otp.send_code, "claim", "user:1", PHONE)
    assert raised.value.status_code == 429 and 0 < raised.value.retry_after <= 60
    for _ in range(4):
        clock.advance(timedelta(seconds=61))
        run(otp.send_code, "claim", "user:1", PHONE)
    clock.advance(timedelta(seconds=61))
    with pytest.raises(otp.CodeThrottled, match="1 小时"):
        run(otp.send_code, "claim", "user:1", PHONE)
    assert len(outbox.messages(to=PHONE)) == 5
    # a new code replaces the old one
    with pytest.raises(ValidationError):
        run(otp.check_code, "claim", "user:1", first)


def test_reminders_respect_opt_out_but_notices_do_not(run: Any, make_person: Any,
                                                       clock: Any) -> None:
    person = make_person()
    person_id = person if isinstance(person, int) else person.id
    run(ReminderOptOut(person=person_id, created_at=clock.now()).save)
    assert run(enqueue, "sms", PHONE, "证书即将到期", kind="reminder", person_id=person_id) is None
    assert run(enqueue, "sms", PHONE, "证书已撤销", kind="notice", person_id=person_id)


def test_idempotency_key_writes_one_message(run: Any) -> None:
    first = run(enqueue, "sms", PHONE, "a", kind="notice", idempotency_key="cert:1:revoked")
    again = run(enqueue, "sms", PHONE, "a", kind="notice", idempotency_key="cert:1:revoked")
    assert first and again is None
    assert len(run(Message.select())) == 1


class FlakyGateway:
    local = False

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[Outgoing] = []

    async def send(self, message: Outgoing) -> str:
        if self.failures:
            self.failures -= 1
            raise GatewayError("gateway answered 503")
        self.sent.append(message)
        return f"gw-{message.id}"


@pytest.fixture
def flaky() -> Any:
    gateway = FlakyGateway(failures=2)
    gateways.use_gateway("sms", gateway)
    yield gateway
    gateways.use_gateway("sms", None)


def test_delivery_retries_with_delays_then_sends(run: Any, outbox: Any, clock: Any,
                                                 flaky: FlakyGateway,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    run(otp.send_code, "claim", "user:1", PHONE)
    body = outbox.messages()[0]["body"]
    with caplog.at_level(logging.INFO, logger="registry.messages"):
        assert outbox.deliver() == 0
        assert outbox.messages()[0]["state"] == "pending"
        assert outbox.deliver() == 0  # not due yet
        clock.advance(timedelta(seconds=delivery.RETRY_DELAYS_S[0] + 1))
        assert outbox.deliver() == 0
        clock.advance(timedelta(seconds=delivery.RETRY_DELAYS_S[1] + 1))
        assert outbox.deliver() == 1
    row = outbox.messages()[0]
    assert row["state"] == "sent" and row["attempts"] == 3
    assert row["gateway_ref"] == f"gw-{row['id']}"
    assert flaky.sent[0].idempotency_key == row["idempotency_key"]
    # sent through a real gateway: the code is not kept, and no log holds body or number
    assert row["body"] == delivery.CLEARED_BODY
    logged = caplog.text + " ".join(str(getattr(r, "fields", "")) for r in caplog.records)
    assert body not in logged and PHONE not in logged and mask_recipient("sms", PHONE) in logged


def test_delivery_gives_up_after_the_last_attempt(run: Any, outbox: Any, clock: Any) -> None:
    gateways.use_gateway("sms", FlakyGateway(failures=100))
    try:
        run(enqueue, "sms", PHONE, "通知", kind="notice")
        for _ in range(delivery.MAX_ATTEMPTS):
            outbox.deliver()
            clock.advance(timedelta(hours=3))
        row = outbox.messages()[0]
        assert row["state"] == "failed" and row["attempts"] == delivery.MAX_ATTEMPTS
        assert "503" in row["last_error"]
    finally:
        gateways.use_gateway("sms", None)


def test_a_stale_lease_is_claimed_again(run: Any, outbox: Any, clock: Any) -> None:
    run(enqueue, "sms", PHONE, "通知", kind="notice")
    run(Message.update({Message.state: "sending", Message.claimed_at: clock.now()},
                       force=True))
    assert outbox.deliver() == 0  # someone else holds the lease
    clock.advance(delivery.LEASE + timedelta(seconds=1))
    assert outbox.deliver() == 1


def test_local_gateway_keeps_bodies_readable(run: Any, outbox: Any) -> None:
    run(otp.send_code, "claim", "user:1", PHONE)
    assert outbox.deliver() == 1
    row = outbox.messages()[0]
    assert row["state"] == "sent" and "验证码为" in row["body"]
    assert gateways.content_visible()
