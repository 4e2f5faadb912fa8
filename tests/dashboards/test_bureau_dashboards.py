"""The 教育局 and 卫健委 dashboards and the public statistics page: guarded by role, numbers
from the records, XLSX exports; the public page shows no personal data."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from tests.conftest import login


def test_bureau_dashboards_render_with_numbers_and_export(client, make_user, make_credential,
                                                          labour_world) -> None:
    from core.clock import today

    day = today()
    world = labour_world(start=day - timedelta(days=60), kindergarten=True, accepted=True)
    make_credential(world.person_id, "CHILDCARE_WORKER", level=4,
                    issued_on=day - timedelta(days=10))
    make_user("edu_officer", "edu1")
    make_user("health_reviewer", "health1")
    login(client, "edu1")
    edu = client.get("/dashboards/edu")
    assert edu.status_code == 200 and "<svg" in edu.text and "100.0" in edu.text
    ws = load_workbook(io.BytesIO(client.get("/dashboards/edu.xlsx").content)).worksheets[0]
    assert ws["A1"].value == "街镇"
    assert client.get("/dashboards/health").status_code == 403
    login(client, "health1")
    health = client.get("/dashboards/health")
    assert health.status_code == 200 and "<svg" in health.text and "已备案机构" in health.text
    assert load_workbook(io.BytesIO(client.get("/dashboards/health.xlsx").content)).worksheets[
        0]["A1"].value == "当前备案状态"
    assert client.get("/dashboards/edu").status_code == 403


def test_public_statistics_need_no_login_and_show_no_personal_data(
        client, make_credential, labour_world) -> None:
    from core.clock import today

    world = labour_world(accepted=True)
    make_credential(world.person_id, "CHILDCARE_WORKER", level=5,
                    issued_on=today() - timedelta(days=1))
    page = client.get("/statistics")
    assert page.status_code == 200
    assert "保育师" in page.text and "<svg" in page.text
    assert world.name not in page.text and world.id_number not in page.text
