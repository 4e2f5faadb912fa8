"""The demo data: the README's example certificates verify as documented."""

from __future__ import annotations


def test_demo_certificates(client, run):
    from core.demo import seed_demo

    assert run(seed_demo)
    from certification.demo import DEMO_CERTIFICATES

    expected = {"李娜": "valid", "孙丽": "revoked", "王芳": "superseded", "赵敏": "suspended"}
    for n, (name, _, _, _, code, _) in enumerate(DEMO_CERTIFICATES):
        number = {0: "S060112000001264000001", 1: "S060112000001264000002",
                  2: "S060112000001263000001", 3: "S060112000001265000001"}[n]
        body = client.get(f"/api/v1/public/certificates/{number}", params={"name": name}).json()
        assert body["status"] == expected[name], (name, body)
        page = client.get(f"/verify/{number}", params={"code": code})
        assert page.status_code == 200
    superseded = client.get("/api/v1/public/certificates/S060112000001263000001",
                            params={"name": "王芳"}).json()
    assert superseded["superseded_by"]
