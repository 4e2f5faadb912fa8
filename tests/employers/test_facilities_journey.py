"""The facility journey through the API: registration, staff, failing then passing report,
filing, return, resubmission, acceptance, the public list; the engine command agrees."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.employers.conftest import (
    FACILITY,
    documents,
    link,
    qualify,
    record_check,
    register,
    uscc,
)

ROOT = Path(__file__).resolve().parents[2]


def run_command(snapshot: dict) -> tuple[int, dict]:
    done = subprocess.run([sys.executable, "-m", "employers.compliance", "-"], cwd=ROOT,
                          input=json.dumps(snapshot, ensure_ascii=False).encode("utf-8"),
                          capture_output=True, timeout=60)
    return done.returncode, json.loads(done.stdout.decode("utf-8"))


def test_journey_registration_to_public_list(client, operator, reviewer, staffed, make_credential):
    facility = staffed(children=9)  # 9 infants need 3 caregivers: fails
    fid = facility["id"]
    report = client.get(f"/api/v1/facilities/{fid}/compliance", headers=operator).json()
    assert report["compliant"] is False
    ratio = next(r for r in report["rules"] if r["code"] == "CLASS_RATIO")
    assert ratio["status"] == "fail" and ratio["subjects"] == ["A1"]
    assert "需要至少 3 名" in ratio["message"]

    # The command says the same about the snapshot the service built.
    snapshot = client.get(f"/api/v1/facilities/{fid}/snapshot", headers=operator).json()
    code, cli_report = run_command(snapshot)
    assert code == 1 and cli_report == report

    # What-if: 6 children would pass; nothing saved.
    r = client.post(f"/api/v1/facilities/{fid}/what-if", headers=operator,
                    json={"classes": [{"code": "A1", "children": 6}]})
    assert r.status_code == 200 and r.json()["compliant"] is True
    assert client.get(f"/api/v1/facilities/{fid}/compliance", headers=operator).json()[
        "compliant"] is False

    # A failing report needs a written explanation to file.
    r = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator, files=documents())
    assert r.status_code == 422 and r.json()["field"] == "explanation"

    # Fix: a third qualified caregiver in A1.
    s3 = link(client, operator, fid, "陈静", ["caregiver"])
    qualify(make_credential, s3["person_id"],
            [("INFANT_CARER", 4), ("MENTAL_HEALTH_TRAINING", None)])
    record_check(client, operator, s3["id"], "HEALTH_CERT", "pass")
    record_check(client, operator, s3["id"], "BACKGROUND_CHECK", "clear")
    client.post(f"/api/v1/classes/{facility['class_id']}/caregivers", headers=operator,
                json={"staff_link_id": s3["id"]})
    report = client.get(f"/api/v1/facilities/{fid}/compliance", headers=operator).json()
    assert report["compliant"] is True, report
    snapshot = client.get(f"/api/v1/facilities/{fid}/snapshot", headers=operator).json()
    assert run_command(snapshot) == (0, report)

    # Missing a required document.
    docs = documents()
    del docs["fire_safety"]
    r = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator, files=docs)
    assert r.status_code == 422 and r.json()["field"] == "fire_safety"

    r = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator, files=documents())
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["state"] == "submitted" and first["compliant"] is True
    assert first["report"] == report
    v = client.get(f"/api/v1/filings/{first['id']}/verify", headers=reviewer).json()
    assert v["valid"] is True and v["hash_ok"] and v["signature_ok"]

    queue = client.get("/api/v1/filings", headers=reviewer).json()
    assert [q["id"] for q in queue] == [first["id"]]
    assert queue[0]["filing_due_on"] > queue[0]["submitted_at"][:10]

    r = client.post(f"/api/v1/filings/{first['id']}/return", headers=reviewer,
                    json={"reasons": ""})
    assert r.status_code == 422
    r = client.post(f"/api/v1/filings/{first['id']}/return", headers=reviewer,
                    json={"reasons": "消防证明已过期，请补充"})
    assert r.status_code == 200 and r.json()["state"] == "returned"
    assert client.get(f"/api/v1/facilities/{fid}", headers=operator).json()[
        "filing_status"] == "returned"

    r = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator, files=documents())
    assert r.status_code == 201, r.text
    second = r.json()
    assert second["previous_id"] == first["id"]
    r = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator, files=documents())
    assert r.status_code == 409  # one under review at a time
    r = client.post(f"/api/v1/filings/{second['id']}/accept", headers=reviewer)
    assert r.status_code == 200, r.text
    assert r.json()["receipt_number"].startswith("宁卫托备〔")
    public = client.get("/api/v1/facilities/public").json()
    assert [p["name"] for p in public] == [FACILITY["name"]]
    assert set(public[0]) == {"name", "address", "street", "service_types", "capacity"}
    page = client.get("/facilities/public")
    assert page.status_code == 200 and FACILITY["name"] in page.text


def test_other_operators_facility_is_404(client, operator, make_user):
    fid = register(client, operator)
    from tests.conftest import api_token

    make_user("facility_operator", "op2")
    other = api_token(client, "op2")
    for path in ("", "/compliance", "/snapshot", "/staff", "/classes", "/forecast"):
        assert client.get(f"/api/v1/facilities/{fid}{path}", headers=other).status_code == 404
    assert client.post(f"/api/v1/facilities/{fid}/classes", headers=other,
                       json={"code": "B", "type": "mixed", "children": 3}).status_code == 404
    assert client.get("/api/v1/facilities", headers=other).json()["total"] == 0
    make_user("edu_officer", "edu1")
    officer = api_token(client, "edu1")
    assert client.get(f"/api/v1/facilities/{fid}", headers=officer).status_code == 200


def test_registration_validates_uscc_and_duplicates(client, operator):
    bad = {**FACILITY, "uscc": "91350100M000100Y44"}
    r = client.post("/api/v1/facilities", json=bad, headers=operator)
    assert r.status_code == 422 and r.json()["field"] == "uscc"
    code = uscc()
    register(client, operator, uscc=code)
    r = client.post("/api/v1/facilities", json={**FACILITY, "uscc": code}, headers=operator)
    assert r.status_code == 409


def test_revocation_shows_on_reviewer_dashboard(client, operator, reviewer, staffed, run):
    facility = staffed()
    fid = facility["id"]
    r = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator, files=documents())
    assert r.status_code == 201, r.text
    client.post(f"/api/v1/filings/{r.json()['id']}/accept", headers=reviewer)
    assert client.get("/api/v1/filings/alerts", headers=reviewer).json() == []

    from core import db
    from core.actor import Actor
    from core.credentials import change_status
    from core.tables import Credential

    async def revoke() -> None:
        cred = await Credential.objects().where(
            (Credential.person == facility["people"]["s2"]["person_id"])
            & (Credential.code == "CHILDCARE_WORKER")).first()
        async with db.transaction():
            await change_status(cred.id, "revoked", "考试作弊", Actor.system("test"))

    run(revoke)
    alerts = client.get("/api/v1/filings/alerts", headers=reviewer).json()
    assert [a["facility_id"] for a in alerts] == [fid]
    codes = [r["code"] for r in alerts[0]["reasons"]]
    assert "CAREGIVER_QUALIFIED" in codes and "CLASS_RATIO" in codes
    page = client.get("/employers/filings", headers={})  # page needs a session
    assert page.status_code in (200, 401, 302, 303)
