"""Re-issue (补发 / 更名换发 / 核查换发) only of a valid certificate: a
replacement is always valid, so re-issuing a suspended, revoked, superseded or expired one would
bring it back without a reinstatement. Through the API, nothing written on a refusal."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import api_token, login, post_form

SUSPENDED = "证书已暂停，请先恢复或撤销后再补发"


@pytest.fixture
def officer(client, make_user):
    make_user("hrss_officer", "officer")
    return api_token(client, "officer")


def _base(cert) -> str:
    return f"/api/v1/certification/certificates/{cert.id}"


def _reissue(client, headers, cert, kind="lost", **extra):
    return client.post(f"{_base(cert)}/reissue", headers=headers,
                       json={"kind": kind, "evidence": "遗失声明 2026-11-01", **extra})


def _written(run):
    from certification.tables import LifecycleRequest
    from core.tables import AuditLog, Credential, PersonName

    return (run(Credential.count()), run(LifecycleRequest.count()),
            run(AuditLog.count().where(AuditLog.action.like("certificate.reissue%"))),
            run(PersonName.count()))


def _status(run, cert) -> str:
    from core.tables import Credential

    return run(Credential.select(Credential.status).where(Credential.id == cert.id).first)[
        "status"]


@pytest.mark.parametrize("kind", ["lost", "name_change"])
def test_suspended_certificate_is_not_reissued(client, run, make_person, issue_skill, officer,
                                               kind):
    cert = issue_skill(make_person("王芳").id)
    assert client.post(f"{_base(cert)}/suspend", headers=officer,
                       json={"public_reason": "投诉调查中"}).status_code == 200
    before = _written(run)
    r = _reissue(client, officer, cert, kind, new_name="王芳菲")
    assert r.status_code == 409, r.text
    assert r.json() == {"status_code": 409, "detail": SUSPENDED, "field": "status"}
    assert _written(run) == before and _status(run, cert) == "suspended"
    assert client.post(f"{_base(cert)}/reinstate", headers=officer,
                       json={"public_reason": "调查结束"}).status_code == 200
    assert _reissue(client, officer, cert, kind, new_name="王芳菲").status_code == 201


def test_revoked_superseded_and_expired_are_not_reissued(client, run, clock, make_person,
                                                          issue_skill, officer):
    from certification.services.lifecycle import NOT_REISSUABLE, expire_due
    from core.tables import Credential

    clock.set_today(date(2026, 8, 1))
    revoked, superseded, expired, past_due = (issue_skill(make_person(n).id)
                                              for n in ("王芳", "李娜", "张伟", "赵敏"))
    client.post(f"{_base(revoked)}/revoke", headers=officer, json={"public_reason": "考试舞弊"})
    assert _reissue(client, officer, superseded).status_code == 201
    run(Credential.update({Credential.expires_on: date(2026, 6, 30)}).where(
        Credential.id.is_in([expired.id, past_due.id])))
    run(expire_due, date(2026, 7, 1))  # both expired by the job ...
    run(Credential.update({Credential.status: "valid"}).where(Credential.id == past_due.id))
    before = _written(run)  # ... and one read back as valid: past its date, job not yet run
    for cert, status, detail in (
            (revoked, "revoked", "证书已撤销，不能补发"),
            (superseded, "superseded", NOT_REISSUABLE["superseded"]),
            (expired, "expired", "证书已过期，不能补发"),
            (past_due, "valid", "证书已过期，不能补发")):
        for kind in ("lost", "name_change"):
            r = _reissue(client, officer, cert, kind, new_name="新名字")
            assert r.status_code == 409 and r.json()["detail"] == detail, (status, r.text)
            assert r.json()["field"] == "status"
        assert _status(run, cert) == status
    assert _written(run) == before


def test_name_change_of_a_valid_certificate_stays_allowed(client, run, make_person, issue_skill,
                                                          officer):
    cert = issue_skill(make_person("王芳").id)
    r = _reissue(client, officer, cert, "name_change", new_name="王芳菲")
    assert r.status_code == 201
    new = client.get("/api/v1/public/certificates/" + r.json()["number"],
                     params={"name": "王芳菲"})
    assert new.json()["status"] == "valid"
    assert _status(run, cert) == "superseded"


def _queue(run, cert, kind="hours_flagged") -> int:
    from certification.services.reviews import enqueue

    return run(enqueue, cert.id, kind, "所依据的学时记录存疑", f"test:{kind}:{cert.id}")


def _decide(client, headers, item, action, note="核查意见", public_reason="经核查暂停"):
    return client.post(f"/api/v1/certification/reviews/{item}/decision", headers=headers,
                       json={"action": action, "note": note, "public_reason": public_reason})


def test_review_queue_does_not_lift_a_suspension_made_elsewhere(client, run, make_person,
                                                                 issue_skill, officer):
    from certification.tables import CertificateReview

    cert = issue_skill(make_person("王芳").id)
    item = _queue(run, cert)
    client.post(f"{_base(cert)}/suspend", headers=officer, json={"public_reason": "投诉调查中"})
    before = _written(run)
    r = _decide(client, officer, item, "reissue")
    assert r.status_code == 409 and r.json()["detail"] == SUSPENDED
    r = _decide(client, officer, item, "confirm")
    assert r.status_code == 409
    assert r.json()["detail"] == "证书已因其他原因暂停，请先恢复或撤销后再确认"
    assert _written(run) == before and _status(run, cert) == "suspended"
    assert run(CertificateReview.select(CertificateReview.state).first)["state"] == "open"


def test_review_queue_suspension_replaced_elsewhere_is_not_lifted(client, run, make_person,
                                                                  issue_skill, officer):
    cert = issue_skill(make_person("王芳").id)
    item = _queue(run, cert)
    assert _decide(client, officer, item, "suspend", "待机构补课").json()["state"] == "suspended"
    client.post(f"{_base(cert)}/reinstate", headers=officer, json={"public_reason": "误暂停"})
    client.post(f"{_base(cert)}/suspend", headers=officer, json={"public_reason": "投诉调查中"})
    for action in ("confirm", "reissue"):
        assert _decide(client, officer, item, action).status_code == 409
    assert _status(run, cert) == "suspended"


def test_review_queue_reissues_after_its_own_suspension(client, run, make_person, issue_skill,
                                                        officer):
    cert = issue_skill(make_person("王芳").id)
    item = _queue(run, cert)
    assert _decide(client, officer, item, "suspend", "待核实").status_code == 200
    r = _decide(client, officer, item, "reissue", "核实后换发")
    assert r.status_code == 200 and r.json()["state"] == "reissued", r.text
    assert _status(run, cert) == "superseded"


def test_review_queue_does_not_confirm_a_revoked_certificate(client, run, make_person,
                                                             issue_skill, officer):
    cert = issue_skill(make_person("王芳").id)
    item = _queue(run, cert)
    client.post(f"{_base(cert)}/revoke", headers=officer, json={"public_reason": "考试舞弊"})
    r = _decide(client, officer, item, "confirm")
    assert r.status_code == 409 and r.json()["detail"] == "证书已撤销，不能确认有效"
    r = _decide(client, officer, item, "reissue")
    assert r.status_code == 409 and r.json()["detail"] == "证书已撤销，不能补发"


def test_page_offers_no_reissue_of_a_suspended_certificate_and_refuses_a_forged_post(
        client, run, make_person, issue_skill, officer):
    cert = issue_skill(make_person("王芳").id)
    client.post(f"{_base(cert)}/suspend", headers=officer, json={"public_reason": "投诉调查中"})
    login(client, "officer")
    page = client.get(f"/certification/certificates/{cert.id}")
    assert f"/certification/certificates/{cert.id}/reissue" not in page.text
    assert SUSPENDED in page.text
    before = _written(run)
    r = post_form(client, f"/certification/certificates/{cert.id}/reissue",
                  {"kind": "lost", "evidence": "遗失声明"})
    assert r.status_code == 409 and SUSPENDED in r.text
    assert _written(run) == before and _status(run, cert) == "suspended"
