"""Declared is not verified. A registration whose 申报条件 rests only on the
applicant's word (apprenticeship, diploma, declared years of work) is marked 自述 on the
provider's list; confirming it needs the evidence seen (a note or an uploaded scan), audited.
The apprenticeship box is not under 学历 on the registration form."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import clock
from core.tables import AuditLog, StoredFile
from tests.conftest import api_token, login, post_form
from training.tables import ExamRegistration

EXAM_DAY = (clock.today() + timedelta(days=20)).isoformat()
NOTE = "学徒合同及学徒期满证明原件已核（编号 NH-2025-017）"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def registration(run, rid):
    return run(ExamRegistration.select().where(ExamRegistration.id == rid).first)


def confirm_audits(run):
    rows = run(AuditLog.select().where(AuditLog.action == "exam_registration.confirm"))
    for row in rows:
        if isinstance(row["summary"], str):
            row["summary"] = json.loads(row["summary"])
    return rows


@pytest.fixture
def apprentice(client, make_provider, make_trainee):
    """A 保育师 五级 session and one registration met only by a declared apprenticeship."""
    world = make_provider()
    staff = api_token(client, world.staff)
    r = client.post("/api/v1/exam-sessions", headers=staff, json={
        "qualification_code": "CHILDCARE_WORKER", "level": 5, "exam_on": EXAM_DAY,
        "place": "考场"})
    sid = r.json()["id"]
    assert client.post(f"/api/v1/exam-sessions/{sid}/open", headers=staff).status_code == 200
    username = make_trainee("郑敏")[0]
    r = client.post(f"/api/v1/exam-sessions/{sid}/registrations", json={"apprenticeship": True},
                    headers=api_token(client, username))
    assert r.status_code == 201, r.text
    assert r.json()["eligibility"]["declared"] == ["apprenticeship"]
    return world, staff, sid, r.json()["id"]


def test_api_lists_declared_and_confirming_needs_a_note(client, run, apprentice):
    world, staff, sid, rid = apprentice
    listing = client.get(f"/api/v1/exam-sessions/{sid}/registrations", headers=staff).json()
    assert [(r["id"], r["declared"]) for r in listing] == [(rid, ["学徒期满"])]
    assert "*" in listing[0]["id_number"]
    for body in (None, {"evidence_note": "   "}):
        r = client.post(f"/api/v1/exam-registrations/{rid}/confirm", headers=staff, json=body)
        assert r.status_code == 422 and r.json()["field"] == "evidence_note"
        assert "学徒期满" in r.json()["detail"] and "核验依据" in r.json()["detail"]
    assert registration(run, rid)["status"] == "pending" and confirm_audits(run) == []
    r = client.post(f"/api/v1/exam-registrations/{rid}/confirm", headers=staff,
                    json={"evidence_note": NOTE})
    assert r.status_code == 200 and r.json()["state"] == "confirmed"
    row = registration(run, rid)
    assert row["status"] == "confirmed" and row["evidence_note"] == NOTE
    [audit] = confirm_audits(run)
    assert audit["entity_id"] == str(rid) and audit["summary"]["note"] == NOTE
    assert audit["summary"]["after"]["evidence_note"] == NOTE
    assert audit["summary"]["after"]["declared"] == ["apprenticeship"]
    listing = client.get(f"/api/v1/exam-sessions/{sid}/registrations", headers=staff).json()
    assert listing[0]["evidence_note"] == NOTE


def test_page_marks_declared_and_takes_a_note_or_a_scan(client, run, apprentice, make_provider):
    world, staff, sid, rid = apprentice
    login(client, world.staff)
    page = client.get(f"/training/provider/exams/{sid}")
    assert "自述" in page.text and 'name="evidence_note"' in page.text
    url = f"/training/provider/exams/{sid}/registrations/{rid}"
    r = post_form(client, url, {"decision": "confirm"}, follow_redirects=True)
    assert "仅凭本人自述" in r.text and "核验依据" in r.text
    assert registration(run, rid)["status"] == "pending" and confirm_audits(run) == []
    # a file that is not a scan is refused, naming the field
    r = post_form(client, url, {"decision": "confirm"}, follow_redirects=True,
                  files={"evidence_file": ("证明.txt", b"hello", "text/plain")})
    assert "核验材料 只接受" in r.text and registration(run, rid)["status"] == "pending"
    assert run(StoredFile.count()) == 0
    r = post_form(client, url, {"decision": "confirm"}, follow_redirects=True,
                  files={"evidence_file": ("学徒期满证明.pdf", PDF, "application/pdf")})
    assert "已处理该报名" in r.text
    row = registration(run, rid)
    assert row["status"] == "confirmed" and row["evidence_file"] is not None
    stored = run(StoredFile.select().where(StoredFile.id == row["evidence_file"]).first)
    assert stored["original_name"] == "学徒期满证明.pdf"
    [audit] = confirm_audits(run)
    assert audit["summary"]["after"]["evidence_file"] == row["evidence_file"]
    assert "已上传核验材料" in client.get(f"/training/provider/exams/{sid}").text
    scan = client.get(f"{url}/evidence")
    assert scan.status_code == 200 and scan.content == PDF
    officer = api_token(client, world.officer)
    r = client.get(f"/api/v1/exam-registrations/{rid}/evidence", headers=officer)
    assert r.status_code == 200 and r.content == PDF
    stranger = make_provider()
    r = client.get(f"/api/v1/exam-registrations/{rid}/evidence",
                   headers=api_token(client, stranger.staff))
    assert r.status_code == 404


def test_page_note_is_enough_and_rejecting_needs_no_evidence(client, run, apprentice,
                                                           make_trainee):
    world, staff, sid, rid = apprentice
    username = make_trainee("冯娟")[0]
    other = client.post(f"/api/v1/exam-sessions/{sid}/registrations",
                        json={"apprenticeship": True},
                        headers=api_token(client, username)).json()["id"]
    login(client, world.staff)
    base = f"/training/provider/exams/{sid}/registrations"
    r = post_form(client, f"{base}/{rid}", {"decision": "confirm", "evidence_note": NOTE},
                  follow_redirects=True)
    assert "已处理该报名" in r.text and registration(run, rid)["evidence_note"] == NOTE
    r = post_form(client, f"{base}/{other}", {"decision": "reject", "reason": "学徒证明不符"},
                  follow_redirects=True)
    assert registration(run, other)["status"] == "rejected"
    assert len(confirm_audits(run)) == 1


def test_registry_evidence_needs_no_note(client, run, make_provider, make_trainee,
                                         make_credential):
    """A lower-level certificate held in the registry is the registry's own evidence; only
    the years of work on top of it are declared."""
    from core.tables import WorkPeriod

    world = make_provider()
    staff = api_token(client, world.staff)
    sid = client.post("/api/v1/exam-sessions", headers=staff, json={
        "qualification_code": "CHILDCARE_WORKER", "level": 4, "exam_on": EXAM_DAY}).json()["id"]
    client.post(f"/api/v1/exam-sessions/{sid}/open", headers=staff)
    username, _, person_id, _ = make_trainee("褚秀英")
    make_credential(person_id, "CHILDCARE_WORKER", level=5,
                    issued_on=clock.today() - timedelta(days=5 * 366))
    run(WorkPeriod.insert(WorkPeriod(person=person_id, employer="某托育园", occupation="保育师",
                                     started_on=clock.today() - timedelta(days=5 * 366),
                                     created_at=clock.now())))
    r = client.post(f"/api/v1/exam-sessions/{sid}/registrations", json={},
                    headers=api_token(client, username))
    assert r.json()["eligibility"]["declared"] == ["work_years"]
    r = client.post(f"/api/v1/exam-registrations/{r.json()['id']}/confirm", headers=staff)
    assert r.status_code == 422 and "工作年限" in r.json()["detail"]


def test_apprenticeship_box_is_not_under_diplomas(client, run, make_provider, make_trainee):
    world = make_provider()
    staff = api_token(client, world.staff)
    sid = client.post("/api/v1/exam-sessions", headers=staff, json={
        "qualification_code": "CHILDCARE_WORKER", "level": 5, "exam_on": EXAM_DAY}).json()["id"]
    client.post(f"/api/v1/exam-sessions/{sid}/open", headers=staff)
    login(client, make_trainee()[0])
    html = client.get(f"/training/exams/{sid}/register").text
    fieldsets = re.findall(r"<fieldset.*?</fieldset>", html, re.S)
    diplomas = [f for f in fieldsets if "<legend>学历" in f]
    assert len(diplomas) == 1 and 'name="apprenticeship"' not in diplomas[0]
    assert any("学徒" in f and 'name="apprenticeship"' in f for f in fieldsets)
    r = post_form(client, f"/training/exams/{sid}/register",
                  {"apprenticeship": "1", "action": "check"})
    assert "学徒期满依据您本人的声明" in r.text


def test_registrations_stored_before_the_rule_keep_their_declared_years():
    from core.errors import ValidationError
    from training.services.evidence import EvidenceSeen, check_evidence, declared_of

    assert declared_of({"relies_on_declared": True}) == ["work_years"]
    assert declared_of({"met": "已完成本职业本等级培训班次的学习"}) == []
    assert declared_of({"declared": ["apprenticeship", "unknown"]}) == ["apprenticeship"]
    with pytest.raises(ValidationError) as error:
        check_evidence({"relies_on_declared": True}, EvidenceSeen())
    assert error.value.field == "evidence_note" and "工作年限" in error.value.message
    with pytest.raises(ValidationError) as error:
        check_evidence({"declared": ["diplomas"]}, EvidenceSeen(note="证" * 501))
    assert error.value.field == "evidence_note"
    assert check_evidence({"declared": ["diplomas"]}, EvidenceSeen(note=NOTE)) is None


@pytest.mark.parametrize("note", ["\u200b", "\u200b\u200c\u200d\ufeff", "已", "已核",
                                  "\u3000已 核\u200b", "\u2060\u00a0 已核\u202f"])
def test_invisible_or_too_short_notes_are_not_evidence(client, run, apprentice, note):
    """A note of only U+200B or a single character counted as evidence."""
    world, staff, sid, rid = apprentice
    r = client.post(f"/api/v1/exam-registrations/{rid}/confirm", headers=staff,
                    json={"evidence_note": note})
    assert r.status_code == 422 and r.json()["field"] == "evidence_note", r.text
    detail = r.json()["detail"]
    assert detail.startswith("该考生的申报条件（学徒期满）仅凭本人自述") or detail.startswith(
        "核验依据（evidence_note）过短：请写明所见材料及编号，至少 4 个可见字符")
    assert registration(run, rid)["status"] == "pending"
    assert confirm_audits(run) == []
    login(client, world.staff)
    r = post_form(client, f"/training/provider/exams/{sid}/registrations/{rid}",
                  {"decision": "confirm", "evidence_note": note}, follow_redirects=True)
    assert r.status_code == 200 and "已处理该报名" not in r.text
    assert "确认前请填写核验依据" in r.text or "核验依据（evidence_note）过短" in r.text
    assert registration(run, rid)["status"] == "pending"


def test_a_note_is_kept_without_its_invisible_characters(client, run, apprentice):
    world, staff, sid, rid = apprentice
    r = client.post(f"/api/v1/exam-registrations/{rid}/confirm", headers=staff,
                    json={"evidence_note": "\u200b学徒\u200d证明 NH-17\ufeff"})
    assert r.status_code == 200, r.text
    assert registration(run, rid)["evidence_note"] == "学徒证明 NH-17"


@given(st.text(alphabet=st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",
                                         "\u00a0", "\u3000", " ", "\t", "\u202f", "\u00ad"]),
               max_size=30),
       st.text(alphabet=st.characters(categories=["Lo", "Nd", "Lu"]), max_size=3))
def test_only_visible_characters_count_towards_the_minimum(padding, visible):
    from core.errors import ValidationError
    from training.services.evidence import NOTE_MIN_VISIBLE, EvidenceSeen, check_evidence

    note = "".join(a + b for a, b in zip(padding, visible, strict=False)) + padding[len(visible):]
    note += visible[len(padding):]
    with pytest.raises(ValidationError) as error:
        check_evidence({"declared": ["apprenticeship"]}, EvidenceSeen(note=note))
    assert error.value.field == "evidence_note"
    assert len(visible) < NOTE_MIN_VISIBLE
    assert check_evidence({"declared": ["apprenticeship"]},
                          EvidenceSeen(note=note + "证明原件")) is None
