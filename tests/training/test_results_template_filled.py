"""The results template already filled: a session's confirmed candidates (ID number as a text
cell, name) with empty score columns and a 缺考 column, as XLSX and CSV; downloaded from the
page link (or the API), filled in with only scores and uploaded back through the page and the
API, it is read as it is."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from core.clock import now
from tests.conftest import api_token, login, post_form
from tests.training.test_result_upload import closed_session  # noqa: F401 - fixture
from training.results_feedback import template_file
from training.results_file import parse_results_file
from training.tables import ExamAbsence, ExamRegistration, ExamResult

LINK = "/training/provider/exams/{}/template/{}"


def _xlsx_rows(body: bytes) -> tuple[list[tuple], openpyxl.worksheet.worksheet.Worksheet]:
    sheet = openpyxl.load_workbook(io.BytesIO(body))["成绩"]
    rows = [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
    return rows, sheet


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as the reader and Excel expect
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _fill_xlsx(body: bytes, scores: dict[str, tuple]) -> bytes:
    """Type scores into the downloaded workbook as a provider would: nothing else changes."""
    book = openpyxl.load_workbook(io.BytesIO(body))
    sheet = book["成绩"]
    for row in sheet.iter_rows(min_row=2):
        for cell, value in zip(row[2:], scores.get(row[0].value, ()), strict=False):
            cell.value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill_csv(body: bytes, scores: dict[str, tuple]) -> bytes:
    rows = _csv_rows(body)
    for row in rows[1:]:
        for index, value in enumerate(scores.get(row[0], ()), start=2):
            row[index] = "" if value is None else str(value)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _stored(run, session) -> tuple[dict, list]:
    results = run(ExamResult.select(ExamResult.person.id_number, ExamResult.theory,
                                    ExamResult.practical).where(ExamResult.session == session))
    absent = run(ExamAbsence.select(ExamAbsence.person.id_number).where(
        ExamAbsence.session == session))
    return ({r["person.id_number"]: (r["theory"], r["practical"]) for r in results},
            sorted(a["person.id_number"] for a in absent))


def test_page_link_downloads_the_candidates(client, run, closed_session):  # noqa: F811
    world, session, people = closed_session(3)
    # pending and rejected registrations are not candidates
    _person(run, session, "pending", "12022119850101888")
    _person(run, session, "rejected", "12022119850101896")
    login(client, world.staff)
    page = client.get(f"/training/provider/exams/{session}").text
    assert f'href="{LINK.format(session, "xlsx")}">下载 Excel 模板（已列出考生）' in page
    assert f'href="{LINK.format(session, "csv")}">CSV 模板' in page

    r = client.get(LINK.format(session, "xlsx"))
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.openxmlformats")
    assert "filename*=UTF-8''%E6%88%90%E7%BB%A9%E6%A8%A1%E6%9D%BF" in r.headers[
        "content-disposition"]
    rows, sheet = _xlsx_rows(r.content)
    assert rows[0] == ("身份证号", "姓名", "理论成绩", "实操成绩", "缺考")
    assert [row[:2] for row in rows[1:]] == people
    assert all(row[2:] == (None, None, None) for row in rows[1:])
    for number in range(2, len(people) + 2):  # ID numbers are text in a text column
        cell = sheet.cell(number, 1)
        assert cell.data_type == "s" and cell.number_format == "@"
    assert sheet.cell(len(people) + 5, 1).number_format == "@"  # and where people type more

    r = client.get(LINK.format(session, "csv"))
    assert r.headers["content-type"].startswith("text/csv")
    assert _csv_rows(r.content) == [["身份证号", "姓名", "理论成绩", "实操成绩", "缺考"]] + [
        [id_number, name, "", "", ""] for id_number, name in people]
    assert client.get(LINK.format(session, "pdf")).status_code == 404


def _person(run, session, status, first17):
    from core.identity import id_check_char
    from core.tables import Person

    person = Person(name="待定考生", id_type="居民身份证",
                    id_number=first17 + id_check_char(first17), created_at=now(),
                    updated_at=now())
    run(person.save)
    run(ExamRegistration.insert(ExamRegistration(
        session=session, person=person.id, route="conditions", eligible=True, status=status,
        created_at=now())))


def test_other_provider_gets_404(client, closed_session):  # noqa: F811
    world, session, _ = closed_session(1)
    other, _, _ = closed_session(1)
    login(client, other.staff)
    assert client.get(LINK.format(session, "xlsx")).status_code == 404
    r = client.get(f"/api/v1/exam-sessions/{session}/results/template",
                   headers=api_token(client, other.staff))
    assert r.status_code == 404


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_round_trip_through_the_page(client, run, closed_session, kind):  # noqa: F811
    world, session, people = closed_session(3)
    login(client, world.staff)
    body = client.get(LINK.format(session, kind)).content
    upload = f"/training/provider/exams/{session}/results"
    # unchanged, no score: the usual message, nothing stored
    r = post_form(client, upload, {}, files={"file": (f"成绩.{kind}", body)},
                  follow_redirects=True)
    assert r.status_code == 422 and "表头下没有成绩数据" in r.text
    assert _stored(run, session) == ({}, [])
    (id1, _), (id2, _), (id3, _) = people
    fill = _fill_xlsx if kind == "xlsx" else _fill_csv
    # two scored, one marked absent in the 缺考 column
    filled = fill(body, {id1: (85, 90.5), id2: (59, 70), id3: (None, None, "缺考")})
    r = post_form(client, upload, {}, files={"file": (f"成绩.{kind}", filled)},
                  follow_redirects=True)
    assert "成绩已保存：2 人，合格 1 人，缺考 1 人" in r.text, r.text[-3000:]
    results, absent = _stored(run, session)
    assert results == {id1: (Decimal(85), Decimal("90.5")), id2: (Decimal(59), Decimal(70))}
    assert absent == [id3]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_round_trip_through_the_api_in_parts(client, run, closed_session, kind):  # noqa: F811
    world, session, people = closed_session(3)
    headers = api_token(client, world.staff)
    r = client.get(f"/api/v1/exam-sessions/{session}/results/template",
                   params={"format": kind}, headers=headers)
    assert r.status_code == 200
    body = r.content
    url = f"/api/v1/exam-sessions/{session}/results"
    r = client.post(url, files={"file": (f"r.{kind}", body)}, headers=headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"].endswith("表头下没有成绩数据")
    (id1, _), (id2, _), (id3, _) = people
    fill = _fill_xlsx if kind == "xlsx" else _fill_csv
    # the first candidate only: the others stay missing, as with a partial upload
    r = client.post(url, files={"file": (f"r.{kind}", fill(body, {id1: (88, 77)}))},
                    headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1 and r.json()["summary"]["missing"] == 2
    r = client.post(url, files={"file": (f"r.{kind}", fill(body, {
        id2: (60, 61), id3: ("缺考", "缺考")}))}, headers=headers)
    assert r.status_code == 200 and r.json()["summary"]["missing"] == 0
    assert r.json()["absent"] == 1
    results, absent = _stored(run, session)
    assert set(results) == {id1, id2} and absent == [id3]


def test_absent_column_with_a_score_or_another_word_is_refused(client, closed_session):  # noqa: F811
    world, session, people = closed_session(2)
    headers = api_token(client, world.staff)
    body = client.get(f"/api/v1/exam-sessions/{session}/results/template",
                      headers=headers).content
    (id1, _), (id2, _) = people
    r = client.post(f"/api/v1/exam-sessions/{session}/results",
                    files={"file": ("r.xlsx", _fill_xlsx(body, {
                        id1: (80, None, "缺考"), id2: (80, 80, "请假")}))}, headers=headers)
    assert r.status_code == 422
    assert [(e["row"], e["column"], e["message"][:12]) for e in r.json()["errors"]] == [
        (2, "理论成绩", "本行已标为缺考，理论成绩"),
        (3, "缺考", "缺考列只能填写“缺考”（"),
    ]


def test_review_level_and_formula_safe_names():
    candidates = [("11010519491231002X", "=HYPERLINK(\"x\")"), ("110105194912310029", "@李")]
    body = template_file(True, "xlsx", candidates)
    rows, sheet = _xlsx_rows(body)
    assert rows[0] == ("身份证号", "姓名", "理论成绩", "实操成绩", "综合评审成绩", "缺考")
    assert sheet.cell(2, 2).value == '=HYPERLINK("x")' and sheet.cell(2, 2).data_type == "s"
    assert sheet.cell(2, 2).quotePrefix and sheet.cell(3, 2).quotePrefix
    text = template_file(True, "csv", candidates).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",'@李," in text
    # the blank template (no candidates) is still read as "no data"
    parsed = parse_results_file(template_file(False, "csv"), "t.csv", needs_review=False)
    assert [e.message for e in parsed.errors] == ["表头下没有成绩数据"]


def test_each_download_is_audited(client, run, closed_session):  # noqa: F811
    """The filled template carries full ID numbers: every download leaves an audit row (who,
    the session, the format, how many candidates), shown in the audit log in words."""
    import json

    from core.tables import AuditLog

    world, session, _ = closed_session(2)
    login(client, world.staff)
    assert client.get(LINK.format(session, "xlsx")).status_code == 200
    headers = api_token(client, world.staff)
    assert client.get(f"/api/v1/exam-sessions/{session}/results/template?format=csv",
                      headers=headers).status_code == 200
    rows = run(AuditLog.select(AuditLog.actor_name, AuditLog.entity_id, AuditLog.summary).where(
        AuditLog.action == "exam_results.template").order_by(AuditLog.id))
    summaries = [json.loads(r["summary"]) if isinstance(r["summary"], str) else r["summary"]
                 for r in rows]
    assert [(r["actor_name"], r["entity_id"], s["after"]) for r, s in zip(rows, summaries,
                                                                          strict=True)] == [
        (world.staff, str(session), {"format": "XLSX", "candidates": 2}),
        (world.staff, str(session), {"format": "CSV", "candidates": 2}),
    ]
    # an unknown format or another provider's session downloads nothing and is not audited
    assert client.get(LINK.format(session, "pdf")).status_code == 404
    assert len(run(AuditLog.select().where(AuditLog.action == "exam_results.template"))) == 2
