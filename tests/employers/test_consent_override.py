"""An operator cannot overrule a person's "no" with a signed form of their own making (found by
an attack review): after the person refused or withdrew, asking again and
then uploading a "signed consent form" used to make the link active at once, so the withdrawal
lasted two requests. Now only the person's own acceptance restores the view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import PASSWORD, api_token
from tests.employers.conftest import PDF, link, register

FORM = {"consent_form": ("consent.pdf", PDF, "application/pdf")}
REFUSED = ("本人曾拒绝或撤回对本机构的授权，不能再以上传同意书代为同意；"
           "须由本人登录平台在“我的任职与查询记录”中同意")


def _bind(client: Any, run: Callable, person_id: int, username: str) -> dict[str, str]:
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor

    run(create_user, NewUser(username, PASSWORD, "trainee", "学员", None, person_id),
        Actor.system("test"))
    return api_token(client, username)


def _state(run: Callable, link_id: int) -> tuple[str, int]:
    from employers.tables import StaffConsent, StaffLink

    status = run(StaffLink.select(StaffLink.status).where(StaffLink.id == link_id).first())
    given = run(StaffConsent.count().where(
        (StaffConsent.staff_link == link_id) & StaffConsent.given_at.is_not_null()))
    return status["status"], given


def _check(client: Any, operator: dict, run: Callable, person_id: int, name: str) -> str:
    from core.tables import Person

    number = run(Person.select(Person.id_number).where(Person.id == person_id).first())
    body = {"id_number": number["id_number"], "name": name, "reason": "复核"}
    return client.post("/api/v1/credential-checks", json=body, headers=operator).json()["basis"]


def test_form_upload_cannot_undo_a_withdrawal(client, operator, run):
    fid = register(client, operator)
    staff = link(client, operator, fid, "米兰", ["caregiver"])  # paper consent
    trainee = _bind(client, run, staff["person_id"], "milan")
    r = client.post(f"/api/v1/staff-links/{staff['id']}/withdraw-consent", headers=trainee)
    assert r.status_code == 200, r.text

    r = client.post(f"/api/v1/staff-links/{staff['id']}/consent-request", headers=operator)
    assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/staff-links/{staff['id']}/consent-form", headers=operator,
                    files=FORM)
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == REFUSED and r.json()["field"] == "consent_form"
    assert _state(run, staff["id"]) == ("pending_consent", 1)  # nothing written
    assert _check(client, operator, run, staff["person_id"], "米兰") == "public"

    # Ending the link and linking her again is no way round it.
    r = client.post(f"/api/v1/staff-links/{staff['id']}/end", headers=operator,
                    json={"ended_on": "2026-11-01", "reason": "重新入职"})
    assert r.status_code == 200, r.text
    from core.tables import Person

    number = run(Person.select(Person.id_number).where(
        Person.id == staff["person_id"]).first())["id_number"]
    r = client.post(f"/api/v1/facilities/{fid}/staff", headers=operator, json={
        "id_type": "居民身份证", "id_number": number, "name": "米兰", "positions": ["caregiver"],
        "employment": "full_time", "started_on": "2026-11-02", "management_years": 0})
    assert r.status_code == 201, r.text
    again = r.json()["id"]
    r = client.post(f"/api/v1/staff-links/{again}/consent-form", headers=operator, files=FORM)
    assert r.status_code == 409 and r.json()["detail"] == REFUSED
    assert _check(client, operator, run, staff["person_id"], "米兰") == "public"

    # The person herself can still say yes.
    r = client.post(f"/api/v1/staff-links/{again}/accept", headers=trainee)
    assert r.status_code == 200, r.text
    assert _check(client, operator, run, staff["person_id"], "米兰") == "consent"


def test_form_upload_cannot_overrule_a_refusal(client, operator, run):
    fid = register(client, operator)
    staff = link(client, operator, fid, "龙梅", ["caregiver"], consent=False)
    trainee = _bind(client, run, staff["person_id"], "longmei")
    assert client.post(f"/api/v1/staff-links/{staff['id']}/refuse",
                       headers=trainee).status_code == 200
    assert client.post(f"/api/v1/staff-links/{staff['id']}/consent-request",
                       headers=operator).status_code == 200
    r = client.post(f"/api/v1/staff-links/{staff['id']}/consent-form", headers=operator,
                    files=FORM)
    assert r.status_code == 409 and r.json()["detail"] == REFUSED
    assert _state(run, staff["id"]) == ("pending_consent", 0)

    # Another facility's paper form is unaffected by this refusal.
    other = register(client, operator)
    second = link(client, operator, other, "龙梅", ["caregiver"], consent=False,
                  number=_number(run, staff["person_id"]))
    r = client.post(f"/api/v1/staff-links/{second['id']}/consent-form", headers=operator,
                    files=FORM)
    assert r.status_code == 200, r.text


def _number(run: Callable, person_id: int) -> str:
    from core.tables import Person

    return run(Person.select(Person.id_number).where(Person.id == person_id).first())[
        "id_number"]


def test_the_person_hears_of_a_form_uploaded_in_their_name(client, operator, make_person,
                                                          outbox):
    from tests.employers.conftest import id_number

    number = id_number()
    person = make_person("白雪", number, phone="13912340000")
    fid = register(client, operator, name="宁河区测试托育园")
    staff = link(client, operator, fid, "白雪", ["caregiver"], number=number)  # form uploaded
    [asked, told] = outbox.messages(to="13912340000")
    assert asked["topic"] == "consent.requested"
    assert told["kind"] == "notice" and told["topic"] == "consent.form_recorded"
    assert told["person"] == person.id
    assert "机构“宁河区测试托育园”已登记您签字的授权同意书" in told["body"]
    assert "如非本人签署或不再同意，请登录平台在“我的任职与查询记录”中撤回授权" in told["body"]
    assert told["idempotency_key"].startswith(f"consent:{staff['id']}:form:")
