"""The nightly expiry follows the China date of the one clock."""

from __future__ import annotations

from datetime import UTC, date, datetime


def test_nightly_expiry_picks_its_day_by_the_china_date(clock, client, run, make_person,
                                                        issue_skill):
    from certification.jobs import expire_today
    from core.tables import Credential

    cert = issue_skill(make_person("王芳").id)
    run(Credential.update({Credential.expires_on: date(2026, 6, 30)}).where(
        Credential.id == cert.id))
    clock.set_now(datetime(2026, 6, 30, 15, 30, tzinfo=UTC))  # 23:30 on 30 June in China
    assert run(expire_today) == 0  # its last valid day is not over yet
    clock.set_now(datetime(2026, 6, 30, 16, 30, tzinfo=UTC))  # 00:30 on 1 July in China,
    assert run(expire_today) == 1  # while the UTC date is still 30 June
    status = run(Credential.select(Credential.status).where(Credential.id == cert.id).first())
    assert status["status"] == "expired"
