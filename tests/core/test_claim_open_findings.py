"""A finding of the attack review of identity claims, now fixed (core.claims.corroboration;
more cases in test_claim_corroboration.py): pre-claiming a person the registry does not hold yet.

Someone who knows a caregiver's name and ID number registers before any organisation has
recorded her: case (a) "new person" sends the code to the phone THEY entered, so they bind an
account to a Person created with their own phone, verified. When her employer or training
provider later records her by the same number and name, everything attaches to that Person: the
squatter sees her certificates and accepts the employer's consent request in her name, which is
the attack the issue set out to stop. She could not claim her record (case d: already claimed),
and an officer could not accept her ID document either (Conflict: 已注册学员账号).
Fix: the binding of a self-registered new person is provisional; the first organisation that
records the person corroborates it with the same phone, or unbinds the account in the same
transaction (a code to the organisation's phone, or with no phone the officers' queue)."""

from __future__ import annotations

from core.identity import id_check_char
from tests.conftest import PASSWORD, api_token
from tests.employers.conftest import link, register

FIRST17 = "12022119910303123"
ID_NUMBER = FIRST17 + id_check_char(FIRST17)
SQUATTER_PHONE = "13700001111"


def test_a_squatter_does_not_get_a_person_recorded_later_by_an_employer(
        client, run, outbox, make_user, make_credential):
    body = {"name": "王芳", "id_type": "居民身份证", "id_number": ID_NUMBER,
            "phone": SQUATTER_PHONE, "username": "squatter", "password": PASSWORD,
            "password_confirm": PASSWORD}
    assert client.post("/api/v1/auth/register", json=body).status_code == 202
    squatter = api_token(client, "squatter")
    r = client.post("/api/v1/auth/claim/verify", json={"code": outbox.last_code(SQUATTER_PHONE)},
                    headers=squatter)
    assert r.status_code == 200 and r.json()["state"] == "verified"

    # Later her employer records the real 王芳 by her number and name.
    make_user("facility_operator", "op1")
    operator = api_token(client, "op1")
    staff = link(client, operator, register(client, operator), "王芳", ["caregiver"],
                 consent=False, number=ID_NUMBER)
    make_credential(staff["person_id"], "CHILDCARE_WORKER", level=4,
                    number="S0601120000012640099")

    r = client.get("/api/v1/me/certificates", headers=squatter)  # unbound: nothing of hers
    assert r.status_code == 404 and r.json()["detail"] == "账号未关联人员信息"
    r = client.post(f"/api/v1/staff-links/{staff['id']}/accept", headers=squatter)
    assert r.status_code == 404
