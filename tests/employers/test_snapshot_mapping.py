"""The snapshot built from the database follows domain.md "Shared records": latest passing
health check, latest background check outcome, registry statuses (revoked, expired), education
from the Person, management years from the link; only consenting, current staff; the forecast;
a tampered filing packet fails re-verification."""

from __future__ import annotations

from datetime import date, timedelta

from core import clock
from tests.employers.conftest import documents, link, record_check, register


def test_snapshot_maps_the_registry(client, operator, make_credential, run):
    fid = register(client, operator)
    d = link(client, operator, fid, "赵敏", ["director"], education="bachelor", years=4)
    pending = link(client, operator, fid, "钱多", ["caregiver"], consent=False)
    pid = d["person_id"]
    make_credential(pid, "DIRECTOR_TRAINING", issued_on=date(2024, 5, 1))
    make_credential(pid, "CAREGIVER_TRAINING", issued_on=date(2024, 5, 1),
                    expires_on=date(2025, 5, 1))
    make_credential(pid, "HEALTH_CERT", outcome="pass", issued_on=date(2026, 3, 2))
    make_credential(pid, "HEALTH_CERT", outcome="fail", issued_on=date(2026, 5, 2))
    make_credential(pid, "BACKGROUND_CHECK", outcome="clear", issued_on=date(2025, 1, 1))
    make_credential(pid, "BACKGROUND_CHECK", outcome="flagged", issued_on=date(2026, 1, 1))
    revoked = make_credential(pid, "CHILDCARE_WORKER", level=4, issued_on=date(2023, 9, 1))

    from core import db
    from core.actor import Actor
    from core.credentials import change_status

    async def revoke() -> None:
        async with db.transaction():
            await change_status(revoked.id, "revoked", "测试", Actor.system("t"))

    run(revoke)
    snap = client.get(f"/api/v1/facilities/{fid}/snapshot?as_of=2026-11-29",
                      headers=operator).json()
    assert [s["id"] for s in snap["staff"]] == [d["snapshot_id"]]  # pending consent left out
    assert pending["snapshot_id"] not in str(snap)
    member = snap["staff"][0]
    assert member["education"] == "bachelor" and member["management_years"] == 4
    assert member["health_check_on"] == "2026-03-02"  # the failed later check does not count
    assert member["background_check"] == "flagged"
    creds = {c["code"]: c for c in member["credentials"]}
    assert set(creds) == {"DIRECTOR_TRAINING", "CAREGIVER_TRAINING", "CHILDCARE_WORKER"}
    assert creds["CHILDCARE_WORKER"]["status"] == "revoked"
    assert creds["CHILDCARE_WORKER"]["level"] == 4
    assert creds["CAREGIVER_TRAINING"]["expires_on"] == "2025-05-01"
    report = client.get(f"/api/v1/facilities/{fid}/compliance?as_of=2026-11-29",
                        headers=operator).json()
    statuses = {r["code"]: r["status"] for r in report["rules"]}
    assert statuses["DIRECTOR"] == "pass" and statuses["BACKGROUND"] == "fail"


def test_health_check_outcome_and_scan_are_checked(client, operator):
    fid = register(client, operator)
    d = link(client, operator, fid, "赵敏", ["director"])
    r = record_check(client, operator, d["id"], "HEALTH_CERT", "clear")
    assert r.status_code == 422 and r.json()["field"] == "outcome"
    r = client.post(f"/api/v1/staff-links/{d['id']}/checks", headers=operator,
                    data={"code": "HEALTH_CERT", "outcome": "pass", "checked_on": "2026-03-01",
                          "issuer_name": "医院"},
                    files={"scan": ("scan.pdf", b"not a pdf", "application/pdf")})
    assert r.status_code == 422 and r.json()["field"] == "scan"
    from core.tables import Credential, StoredFile

    assert client.blocking_portal.call(Credential.count) == 0  # nothing was written
    assert client.blocking_portal.call(StoredFile.count) == 1  # the consent form only
    assert client.get(f"/api/v1/facilities/{fid}/snapshot", headers=operator).json()[
        "staff"][0]["health_check_on"] is None


def test_forecast_names_the_day_and_class(client, operator, staffed, make_credential):
    facility = staffed()
    s1 = facility["people"]["s1"]
    # s1's mental-health training expires: from the next day A1 is short of caregivers.
    end = clock.today() + timedelta(days=30)
    make_credential(s1["person_id"], "DIRECTOR_TRAINING")  # irrelevant noise
    from core.tables import Credential

    async def shorten() -> None:
        await Credential.update({Credential.expires_on: end}).where(
            (Credential.person == s1["person_id"]) & (Credential.code == "MENTAL_HEALTH_TRAINING"))

    client.blocking_portal.call(shorten)
    items = client.get(f"/api/v1/facilities/{facility['id']}/forecast",
                       headers=operator).json()
    texts = [i["text"] for i in items]
    day = (end + timedelta(days=1)).isoformat()
    assert f"{day} 起 A1 班合格保育人员不足" in texts


def test_tampered_packet_fails_verification(client, operator, reviewer, staffed):
    facility = staffed()
    r = client.post(f"/api/v1/facilities/{facility['id']}/filings", headers=operator,
                    files=documents())
    filing_id = r.json()["id"]
    from employers.tables import Filing

    async def tamper() -> None:
        row = await Filing.objects().output(load_json=True).where(Filing.id == filing_id).first()
        row.snapshot["classes"][0]["children"] = 1
        await row.save()

    client.blocking_portal.call(tamper)
    v = client.get(f"/api/v1/filings/{filing_id}/verify", headers=reviewer).json()
    assert v["hash_ok"] is False and v["valid"] is False and v["signature_ok"] is True
