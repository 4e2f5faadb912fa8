"""Every page form of certification is read by the one forms layer (core.forms.FormReader) and
shows every field at fault at once, beside its field: posted with several
bad fields, a form answers 422 with all their messages and writes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.tables import AuditLog, ConditionEdition, Credential, Qualification, StoredFile
from tests.certification.test_holder_and_external import pdf_scan
from tests.conftest import login, post_form
from tests.core.test_page_form_errors import assert_beside

TODAY = date(2026, 6, 1)


def _counts(run: Any) -> tuple[int, ...]:
    return (run(Qualification.count()), run(ConditionEdition.count()), run(Credential.count()),
            run(StoredFile.count()), run(AuditLog.count()))


def _skill_id(run: Any) -> int:
    row = run(Qualification.select(Qualification.id).where(
        Qualification.code == "CHILDCARE_WORKER").first())
    return row["id"]


# (name, path (may name {skill}), form, files, {field: message})
FORMS = [
    ("new qualification", "/certification/catalogue/qualifications",
     {"code": "bad code", "name": "", "kind": "diploma", "occupation_code": "1" * 21,
      "validity_months": "abc", "levels_text": "four 四级"}, None,
     {"code": "代码应为 3–40 位大写字母、数字或下划线，以字母开头", "name": "请填写名称",
      "kind": "类别取值无效", "occupation_code": "职业编码最多 20 个字符",
      "validity_months": "有效期（月）应为整数",
      "levels_text": "第 1 行格式应为“等级数字”或“等级数字 空格 名称”，如“4 四级/中级工”"}),
    ("validity out of range and levels on a training kind",
     "/certification/catalogue/qualifications",
     {"code": "NEW_TRAINING", "name": "新培训", "kind": "training", "validity_months": "601",
      "levels_text": "4 四级"}, None,
     {"validity_months": "有效期（月）应在 1 到 600 之间",
      "levels_text": "只有职业技能等级证书有等级"}),
    ("new condition edition", "/certification/catalogue/qualifications/{skill}/editions",
     {"edition": "", "effective_from": "2026-13-01", "source": "", "conditions": " "}, None,
     {"edition": "请填写版本", "effective_from": "日期格式应为 YYYY-MM-DD",
      "conditions": "请填写申报条件"}),
    ("external credential", "/certification/external/",
     {"id_type": "居民身份证", "id_number": "120221199001010010", "name": "周3",
      "code": "CHILDCARE_WORKER", "number": "", "issuer_name": "", "issued_on": "2027-05-01",
      "expires_on": "2027-02-30", "outcome": "maybe"},
     {"scan": ("scan.exe", b"MZ\x90\x00 not a pdf", "application/pdf")},
     {"id_number": "身份证号校验位不正确，请核对后重新输入", "name": "姓名不能包含数字",
      "code": "请选择证件类别", "number": "请填写证书（证明）编号",
      "issuer_name": "请填写发证机构",
      "issued_on": "发证（检查）日期不能晚于今天（2026-06-01）：只能登记已经发生的事",
      "expires_on": "日期格式应为 YYYY-MM-DD", "outcome": "结论取值无效",
      "scan": "扫描件 只接受 PDF、JPEG、PNG 文件"}),
]


@pytest.mark.parametrize(("path", "form", "files", "expected"),
                         [pytest.param(*case[1:], id=case[0]) for case in FORMS])
def test_every_field_error_is_shown_at_once(client, run, clock, make_user, path, form, files,
                                            expected):
    clock.set_today(TODAY)
    make_user("hrss_officer", "officer")
    login(client, "officer")
    before = _counts(run)
    response = post_form(client, path.format(skill=_skill_id(run)), form,
                         **({"files": files} if files else {}))
    assert response.status_code == 422, response.text
    assert_beside(response.text, expected)
    assert response.text.count('class="field-error"') == len(expected)
    assert _counts(run) == before


def test_a_good_external_form_still_records(client, run, clock, make_user):
    clock.set_today(TODAY)
    make_user("hrss_officer", "officer")
    login(client, "officer")
    response = post_form(client, "/certification/external/", {
        "id_type": "居民身份证", "id_number": "120221199001010018", "name": "周强",
        "code": "SECURITY_LICENSE", "number": "津保1234567", "issuer_name": "天津市公安局",
        "issued_on": "2024-01-10"}, files={"scan": ("scan.pdf", pdf_scan(), "application/pdf")},
        follow_redirects=False)
    assert response.status_code in (302, 303), response.text
    assert run(Credential.count()) == 1


def test_registry_search_shows_every_bad_filter(client, make_user):
    make_user("hrss_officer", "officer")
    login(client, "officer")
    response = client.get("/certification/certificates/", params={
        "status": "lost", "date_from": "2026-02-30", "date_to": "yesterday"})
    assert_beside(response.text, {"status": "状态取值无效",
                                  "date_from": "日期格式应为 YYYY-MM-DD",
                                  "date_to": "日期格式应为 YYYY-MM-DD"})
