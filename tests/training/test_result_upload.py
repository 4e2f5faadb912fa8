"""Bulk results upload through the API and the page: every bad input gives a
Chinese message, writes no result and never a 500; all or nothing; replace; lock on submit."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest

from core import clock
from tests.conftest import api_token, login, post_form
from training.tables import ExamRegistration, ExamResult, ExamSession, ResultUpload

HEADERS = ["身份证号", "姓名", "理论成绩", "实操成绩"]
NAMES = "甲乙丙丁戊己庚辛"


@pytest.fixture
def closed_session(client, run, make_provider, make_trainee):
    """A closed session with confirmed candidates; returns (world, session id, candidates)."""
    from core.actor import Actor  # noqa: F401
    from core.clock import now

    def factory(n: int = 3, level: int = 4):
        world = make_provider()
        session = ExamSession(provider=world.provider_id, qualification_code="CHILDCARE_WORKER",
                              level=level, exam_on=clock.today(),
                              place="考场", state="closed", created_at=now(), updated_at=now())
        run(session.save)
        people = []
        for i in range(n):
            username, actor, person_id, id_number = make_trainee("考生" + NAMES[i])
            run(ExamRegistration.insert(ExamRegistration(
                session=session.id, person=person_id, route="conditions", eligible=True,
                status="confirmed", created_at=now())))
            people.append((id_number, "考生" + NAMES[i]))
        return world, session.id, people

    return factory


def xlsx(rows, merge=None) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    if merge:
        wb.active.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv(rows, encoding="utf-8-sig") -> bytes:
    return "\r\n".join(",".join(str(c) for c in r) for r in rows).encode(encoding)


def upload(client, headers, sid, data, name="成绩.xlsx"):
    return client.post(f"/api/v1/exam-sessions/{sid}/results", headers=headers,
                       files={"file": (name, data, "application/octet-stream")})


def submit(client, headers, sid):
    """Submit as the API asks: read the summary, send its digest (and counts) back."""
    summary = client.get(f"/api/v1/exam-sessions/{sid}/results/summary", headers=headers).json()
    return client.post(f"/api/v1/exam-sessions/{sid}/submit", headers=headers,
                       json={"confirm_digest": summary["confirm_digest"],
                             "confirm_counts": summary["confirm_counts"]})


def nothing_written(run, sid):
    assert run(ExamResult.count().where(ExamResult.session == sid)) == 0
    assert run(ExamSession.select(ExamSession.state).where(ExamSession.id == sid).first)[
        "state"] == "closed"


def test_good_upload_replaces_results_and_submit_locks(client, run, closed_session):
    world, sid, people = closed_session(3)
    headers = api_token(client, world.staff)
    (id1, n1), (id2, n2), (id3, n3) = people
    r = upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 85, 90], [id2, n2, "59.5", 90],
                                           [id3.lower(), n3, "８８", 61.0]]))
    assert r.status_code == 200
    assert (r.json()["accepted"], r.json()["passed"], r.json()["sheet"]) == (3, 2, "Sheet")
    # a second upload replaces the results of the candidates it names; the others stay
    r = upload(client, headers, sid, csv([HEADERS, [id1, n1, 70, 70]], "gb18030"), "成绩.csv")
    assert (r.json()["accepted"], r.json()["passed"]) == (1, 1)
    assert r.json()["summary"]["missing"] == 0
    assert run(ExamResult.count().where(ExamResult.session == sid)) == 3
    assert submit(client, headers, sid).json()["state"] == "submitted"
    r = upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 99, 99]]))
    assert r.status_code == 409 and "已锁定" in r.json()["detail"]
    assert sorted(row["theory"] for row in run(ExamResult.select(ExamResult.theory))) == [
        Decimal("59.5"), 70, 88]


def test_every_row_problem_listed_and_nothing_saved(client, run, closed_session):
    world, sid, people = closed_session(6)  # no more rows than candidates: rows are checked
    headers = api_token(client, world.staff)
    (id1, n1), (id2, n2), (id3, _) = people[:3]
    from core.identity import id_check_char
    stranger = "12022119800101999"
    stranger += id_check_char(stranger)
    rows = [HEADERS, [id1, n1, 85, 90], [id2, "别人", 85, 90], [stranger, "路人", 80, 80],
            ["12345", "某某", 80, 80], [id3, "考生丙", "", 80], [id1, n1, 101, "八十"]]
    r = upload(client, headers, sid, xlsx(rows))
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert set(errors[0]) == {"row", "column", "message"}
    by_row = {}
    for e in errors:
        by_row.setdefault(e["row"], []).append((e["column"], e["message"]))
    assert any("姓名与报名信息不一致" in m for _, m in by_row[3])
    assert by_row[4] == [("身份证号", "该身份证号不是本场考试的报名考生")]
    assert by_row[5][0][0] == "身份证号"
    assert any(c == "理论成绩" for c, _ in by_row[6])
    assert {c for c, _ in by_row[7]} >= {"身份证号", "理论成绩", "实操成绩"}
    assert not any(id1 in e["message"] or stranger in e["message"] for e in errors)
    nothing_written(run, sid)


@pytest.mark.parametrize("data,name,expected", [
    (b"", "r.csv", "文件为空"),
    (b"%PDF-1.7\n...", "r.pdf", "只接受 Excel（.xlsx）或 CSV 文件"),
    (csv([["编号", "名字", "分数"], ["1", "张三", "80"]]), "r.csv", "表头"),
    (csv([["120221199001011234", "张三", "80", "80"]]), "r.csv", "表头"),
    (csv([HEADERS]), "r.csv", "没有成绩数据"),
])
def test_whole_file_problems(client, run, closed_session, data, name, expected):
    world, sid, _ = closed_session(1)
    r = upload(client, api_token(client, world.staff), sid, data, name)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert errors[0]["row"] is None and errors[0]["column"] is None
    assert expected in errors[0]["message"], errors
    nothing_written(run, sid)


def test_too_many_rows_gives_rows_and_candidates(client, run, closed_session):
    """Over the 50,000 hard cap too: one whole-file error with both counts, no advice to split
    (finding 13: a 60,000-row file said only "请分批上传")."""
    world, sid, people = closed_session(1)
    lines = [",".join(HEADERS)] + [f"{people[0][0]},{people[0][1]},85,90"] * 60_000
    r = upload(client, api_token(client, world.staff), sid, "\n".join(lines).encode(), "r.csv")
    assert r.status_code == 422
    assert r.json()["total"] == 1
    assert r.json()["errors"] == [{"row": None, "column": None, "message":
                                   "文件有 60,000 行数据，本场考试只有 1 名已确认考生："
                                   "每位考生只能有一行成绩，请只保留本场考生的成绩后重新上传"}]
    assert "分批" not in r.text
    nothing_written(run, sid)


def test_oversized_body_is_413_in_chinese_and_server_keeps_serving(client, run, closed_session):
    world, sid, _ = closed_session(1)
    headers = api_token(client, world.staff)
    r = upload(client, headers, sid, b"a" * (11 * 1024 * 1024), "r.csv")
    assert r.status_code == 413
    assert "过大" in r.json()["detail"]
    nothing_written(run, sid)
    assert client.get(f"/api/v1/exam-sessions/{sid}", headers=headers).status_code == 200


def test_zip_bomb_refused(client, run, closed_session, tmp_path):
    """How quickly, end to end: bench/zip_bomb.py."""
    world, sid, _ = closed_session(1)
    path = tmp_path / "bomb.xlsx"
    chunk = b"0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(300):
                sheet.write(chunk)
    r = upload(client, api_token(client, world.staff), sid, path.read_bytes())
    assert r.status_code == 422 and "压缩炸弹" in r.json()["errors"][0]["message"]
    nothing_written(run, sid)


def test_merged_title_row_and_formula_without_value(client, run, closed_session):
    world, sid, people = closed_session(2)
    (id1, n1), (id2, n2) = people
    data = xlsx([["2026 年第 1 期保育师四级成绩"], HEADERS, [id1, n1, 85, 90],
                 [id2, n2, "=A1+1", 90]], merge="A1:D1")
    r = upload(client, api_token(client, world.staff), sid, data)
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["row"] == 4 and error["column"] == "理论成绩" and "公式" in error["message"]
    nothing_written(run, sid)


def test_review_score_required_for_level_two(client, run, closed_session):
    world, sid, people = closed_session(1, level=2)
    (id1, n1), = people
    headers = api_token(client, world.staff)
    r = upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 85, 90]]))
    assert r.status_code == 422 and "综合评审成绩" in r.json()["errors"][0]["message"]
    r = upload(client, headers, sid, xlsx([HEADERS + ["综合评审成绩"], [id1, n1, 85, 90, 59]]))
    assert (r.json()["accepted"], r.json()["passed"]) == (1, 0)


def test_other_provider_gets_404(client, run, closed_session):
    world, sid, people = closed_session(1)
    other, _, _ = closed_session(1)
    r = upload(client, api_token(client, other.staff), sid, xlsx([HEADERS, [*people[0], 80, 80]]))
    assert r.status_code == 404
    nothing_written(run, sid)


def test_page_shows_errors_and_offers_annotated_file(client, run, closed_session):
    world, sid, people = closed_session(2)
    (id1, n1), (id2, n2) = people
    login(client, world.staff)
    page = client.get(f"/training/provider/exams/{sid}")
    assert page.status_code == 200 and "下载 Excel 模板" in page.text
    template = client.get(f"/training/provider/exams/{sid}/template/xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    r = client.post(f"/training/provider/exams/{sid}/results",
                    files={"file": ("成绩.xlsx", xlsx([HEADERS, [id1, n1, 85, 90],
                                                       [id2, "错名", 85, 90]]),
                                    "application/octet-stream")},
                    data={"_csrf_token": client.cookies["csrftoken"]})
    assert r.status_code == 422
    assert "未保存任何成绩" in r.text and "姓名与报名信息不一致" in r.text
    upload_row = run(ResultUpload.objects().first)
    feedback = client.get(f"/training/provider/exams/{sid}/uploads/{upload_row.id}/feedback")
    assert feedback.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(feedback.content)).active
    assert sheet.cell(1, 5).value == "错误说明" and "姓名" in sheet.cell(3, 5).value
    nothing_written(run, sid)
    # after 24 hours the annotated file is gone
    run(ResultUpload.update({ResultUpload.feedback_expires_at:
                             clock.now() - timedelta(minutes=1)}).where(
        ResultUpload.id == upload_row.id))
    gone = client.get(f"/training/provider/exams/{sid}/uploads/{upload_row.id}/feedback")
    assert gone.status_code == 404 and "24 小时" in gone.text
    # a corrected file is accepted through the page; the second candidate was absent
    r = client.post(f"/training/provider/exams/{sid}/results",
                    files={"file": ("成绩.xlsx", xlsx([HEADERS, [id1, n1, 85, 90],
                                                       [id2, n2, "缺考", "缺考"]]),
                                    "application/octet-stream")},
                    data={"_csrf_token": client.cookies["csrftoken"]}, follow_redirects=True)
    assert r.status_code == 200 and "成绩已保存：1 人，合格 1 人，缺考 1 人" in r.text
    summary = client.get(f"/training/provider/exams/{sid}/submit")
    assert "考生（已确认报名）</dt><dd class=\"count-candidates\">2 人" in summary.text
    assert "<dt>缺考</dt><dd class=\"count-absent\">1 人" in summary.text
    digest = re.search(r'name="confirm_digest" value="([0-9a-f]{64})"', summary.text).group(1)
    r = post_form(client, f"/training/provider/exams/{sid}/submit",
                  {"candidates": 2, "absent": 1, "passed": 1, "failed": 0,
                   "confirm_digest": digest}, follow_redirects=True)
    assert "已提交人社局审核" in r.text


def test_openapi_still_valid(client):
    r = client.get("/schema/openapi.json")
    assert r.status_code == 200
    assert "/api/v1/exam-sessions/{session_id}/results" in r.json()["paths"]
    models = r.json()["components"]["schemas"]
    assert "confirm_digest" in models["SubmitIn"]["properties"]
    assert "confirm_digest" in models["ResultsSummaryOut"]["required"]


def test_row_with_bad_score_is_still_checked_against_candidates(client, run, closed_session):
    world, sid, people = closed_session(1)
    (id1, _), = people
    r = upload(client, api_token(client, world.staff), sid, xlsx([HEADERS, [id1, "别人", "", 80]]))
    assert r.status_code == 422
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(2, "理论成绩"), (2, "姓名")]
    nothing_written(run, sid)


def test_returned_session_shows_reason_and_is_resubmitted(client, run, closed_session):
    world, sid, people = closed_session(1)
    (id1, n1), = people
    headers = api_token(client, world.staff)
    upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 85, 90]]))
    submit(client, headers, sid)
    # the officer returns it (certification's action): back to results_uploaded with a reason
    run(ExamSession.update({ExamSession.state: "results_uploaded",
                            ExamSession.return_reason: "第 2 行实操成绩与评分表不符"}).where(
        ExamSession.id == sid))
    login(client, world.staff)
    assert "第 2 行实操成绩与评分表不符" in client.get(f"/training/provider/exams/{sid}").text
    r = upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 85, 80]]))
    assert (r.json()["accepted"], r.json()["passed"]) == (1, 1)
    assert submit(client, headers, sid).json()["state"] == "submitted"


def test_trainee_sees_results_once_approved(client, run, closed_session):
    world, sid, people = closed_session(1)
    (id1, n1), = people
    upload(client, api_token(client, world.staff), sid, xlsx([HEADERS, [id1, n1, 85, 59]]))
    login(client, "trainee_t1")
    page = client.get("/training/exams")
    assert "已确认" in page.text and "不合格" not in page.text
    run(ExamSession.update({ExamSession.state: "approved"}).where(ExamSession.id == sid))
    page = client.get("/training/exams")
    assert "理论 85" in page.text and "不合格" in page.text


@pytest.fixture(params=["local", "database"])
def file_storage(request, monkeypatch):
    """FILE_STORAGE for this test (read on each use: core.storage.current)."""
    from core.settings import get_settings

    monkeypatch.setenv("FILE_STORAGE", request.param)
    get_settings.cache_clear()
    yield request.param
    monkeypatch.undo()
    get_settings.cache_clear()


def test_expired_feedback_files_are_purged_by_housekeeping(file_storage, client, run,
                                                           closed_session):
    from core import housekeeping, storage
    from core.tables import StoredFile
    from training.services.results import purge_expired_feedback

    world, sid, people = closed_session(1)
    headers = api_token(client, world.staff)
    upload(client, headers, sid, xlsx([HEADERS, [people[0][0], "别人", 85, 90]]))
    row = run(ResultUpload.objects().first)
    stored = run(StoredFile.objects().where(StoredFile.id == row.feedback_file).first)

    def kept() -> bool:
        return run(storage.current().has, stored.sha256, stored.path)

    assert kept()
    assert storage.current().name == file_storage
    assert run(purge_expired_feedback) == 0
    run(ResultUpload.update({ResultUpload.feedback_expires_at:
                             clock.now() - timedelta(hours=1)}).where(
        ResultUpload.id == row.id))
    run(housekeeping.run_once, client.app)  # what each server process runs every hour
    assert not kept()
    assert run(ResultUpload.objects().first).feedback_file is None
    assert run(ResultUpload.objects().first).errors  # the error list is kept
