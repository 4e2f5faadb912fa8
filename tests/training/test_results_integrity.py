"""A results file means what the provider sees, through the API and the pages:
percentage cells, the sheet read, more rows than candidates, the 200-error list, partial uploads
with 缺考, the confirmed summary before submit, and the officer's approval of absent candidates.
XLSX files are built with openpyxl as Excel would save them."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest

from core import clock
from core.identity import id_check_char
from tests.conftest import api_token, login, post_form
from training.tables import ExamAbsence, ExamResult, ExamSession, ResultUpload

HEADERS = ["身份证号", "姓名", "理论成绩", "实操成绩"]
SURNAMES = "王李张刘陈杨赵黄周吴"


def make_id(serial: int) -> str:
    first17 = f"12010119800101{serial:03d}"
    return first17 + id_check_char(first17)


def make_name(serial: int) -> str:
    return SURNAMES[serial % 10] + "芳娜敏静丽强磊军洋勇"[serial // 10 % 10] + "考"


@pytest.fixture
def session_with(run, make_provider):
    """A closed session held today with ``n`` confirmed candidates written directly (fast);
    returns (world, session id, [(ID number, name)])."""
    from core.tables import Person
    from training.tables import ExamRegistration

    def factory(n: int):
        world = make_provider()
        at = clock.now()
        session = ExamSession(provider=world.provider_id, qualification_code="CHILDCARE_WORKER",
                              level=4, exam_on=clock.today(), place="考场", state="closed",
                              created_at=at, updated_at=at)
        run(session.save)
        people = [(make_id(i), make_name(i)) for i in range(n)]
        run(Person.insert(*[Person(id_type="居民身份证", id_number=number, name=name,
                                   created_at=at, updated_at=at) for number, name in people]))
        ids = run(Person.select(Person.id).where(
            Person.id_number.is_in([number for number, _ in people])).order_by(Person.id))
        run(ExamRegistration.insert(*[ExamRegistration(
            session=session.id, person=row["id"], route="conditions", eligible=True,
            status="confirmed", created_at=at) for row in ids]))
        return world, session.id, people

    return factory


def xlsx(rows, formats=None, *, hidden_first=False, sheet="Sheet") -> bytes:
    workbook = openpyxl.Workbook()
    target = workbook.active
    if hidden_first:
        target.title = "旧表"
        target.append(["这页是隐藏的旧数据"])
        target.sheet_state = "hidden"
        target = workbook.create_sheet(sheet)
    else:
        target.title = sheet
    for row in rows:
        target.append(row)
    for ref, number_format in (formats or {}).items():
        target[ref].number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, headers, sid, data, name="成绩.xlsx"):
    return client.post(f"/api/v1/exam-sessions/{sid}/results", headers=headers,
                       files={"file": (name, data, "application/octet-stream")})


def summary(client, headers, sid) -> dict:
    return client.get(f"/api/v1/exam-sessions/{sid}/results/summary", headers=headers).json()


def confirmation(shown: dict) -> dict:
    """What a client confirming the summary ``shown`` sends back."""
    return {"confirm_digest": shown["confirm_digest"], "confirm_counts": shown["confirm_counts"]}


def submit(client, headers, sid, body):
    return client.post(f"/api/v1/exam-sessions/{sid}/submit", headers=headers, json=body)


def page_digest(html: str) -> str:
    """The digest the summary page confirms (its hidden field)."""
    found = re.search(r'name="confirm_digest" value="([0-9a-f]{64})"', html)
    assert found, "the submit form carries no confirm_digest"
    return found.group(1)


def state_of(run, sid) -> str:
    return run(ExamSession.select(ExamSession.state).where(ExamSession.id == sid).first)["state"]


def nothing_written(run, sid):
    assert run(ExamResult.count().where(ExamResult.session == sid)) == 0
    assert run(ExamAbsence.count().where(ExamAbsence.session == sid)) == 0
    assert state_of(run, sid) == "closed"


# --- what the cells show ----------------------------------------------------------------------


def test_a_percentage_score_is_stored_as_the_percentage_shown(client, run, session_with):
    world, sid, people = session_with(2)
    headers = api_token(client, world.staff)
    (id1, n1), (id2, n2) = people
    data = xlsx([HEADERS, [id1, n1, 0.85, 0.9], [id2, n2, 0.5, 0.75]],
                {"C2": "0%", "D2": "0%", "C3": "0.0%", "D3": "0%"})
    r = upload(client, headers, sid, data)
    assert r.status_code == 200, r.text
    assert (r.json()["accepted"], r.json()["passed"]) == (2, 1)
    stored = run(ExamResult.select(ExamResult.theory, ExamResult.practical, ExamResult.passed)
                 .order_by(ExamResult.id))
    assert [(row["theory"], row["practical"], row["passed"]) for row in stored] == [
        (Decimal(85), Decimal(90), True), (Decimal(50), Decimal(75), False)]


def test_a_percentage_hiding_its_decimals_is_refused_naming_the_cell(client, run, session_with):
    world, sid, people = session_with(1)
    (id1, n1), = people
    r = upload(client, api_token(client, world.staff), sid,
               xlsx([HEADERS, [id1, n1, 0.853, 90]], {"C2": "0%"}))
    assert r.status_code == 422
    assert r.json()["errors"] == [{"row": 2, "column": "理论成绩", "message":
                                   "理论成绩（单元格 C2 为百分比格式）显示为 85%，实际为 85.3%："
                                   "请把该列改为“常规”或“数值”格式，填写 0–100 的分数"}]
    nothing_written(run, sid)


def test_csv_percentage_text_and_excel_damaged_ids(client, run, session_with):
    world, sid, people = session_with(3)
    (id1, n1), (id2, n2), (id3, n3) = people
    text = (f"身份证号,姓名,理论成绩,实操成绩\n'{id1},{n1},85%,90\n=\"{id2}\",{n2},70,70\n"
            f"\u200b{id3}\ufeff,{n3},60,60\n")
    r = upload(client, api_token(client, world.staff), sid, text.encode(), "成绩.csv")
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["missing"] == 0
    assert run(ExamResult.count().where(ExamResult.session == sid)) == 3


def test_an_id_rounded_by_excel_is_explained(client, run, session_with):
    world, sid, people = session_with(1)
    (id1, n1), = people
    r = upload(client, api_token(client, world.staff), sid,
               xlsx([HEADERS, [int(id1[:15] + "000"), n1, 85, 90]]))
    assert r.status_code == 422
    message = r.json()["errors"][0]["message"]
    assert message.startswith("身份证号末三位变成了 000：Excel 把号码当作数字保存")
    assert "“文本”格式" in message and id1[:15] not in message
    nothing_written(run, sid)


# --- the sheet read ---------------------------------------------------------------------------


def test_a_hidden_first_sheet_is_skipped_and_the_sheet_named(client, run, session_with):
    world, sid, people = session_with(1)
    headers = api_token(client, world.staff)
    (id1, n1), = people
    r = upload(client, headers, sid, xlsx([["编号", "名字"]], hidden_first=True, sheet="成绩"))
    assert r.status_code == 422 and r.json()["sheet"] == "成绩"
    assert r.json()["errors"][0]["message"].startswith("工作表“成绩”：未找到表头")
    nothing_written(run, sid)
    r = upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 80, 80]], hidden_first=True))
    assert r.status_code == 200 and r.json()["sheet"] == "Sheet"


# --- more rows than candidates, and the error list -------------------------------------------


def test_more_rows_than_candidates_is_one_whole_file_error(client, run, session_with):
    world, sid, people = session_with(3)
    rows = [HEADERS] + [[make_id(i % 40), make_name(i % 40), 80, 80] for i in range(600)]
    r = upload(client, api_token(client, world.staff), sid, xlsx(rows))
    assert r.status_code == 422
    assert r.json()["total"] == 1
    assert r.json()["errors"] == [{"row": None, "column": None, "message":
                                   "工作表“Sheet”：文件有 600 行数据，本场考试只有 3 名已确认考生："
                                   "每位考生只能有一行成绩，请只保留本场考生的成绩后重新上传"}]
    nothing_written(run, sid)


def test_at_most_200_errors_are_listed_and_the_file_marks_all(client, run, session_with):
    world, sid, people = session_with(260)
    rows = [HEADERS] + [[number, name, "八十", 80] for number, name in people]
    headers = api_token(client, world.staff)
    r = upload(client, headers, sid, xlsx(rows))
    assert r.status_code == 422
    assert len(r.json()["errors"]) == 200 and r.json()["total"] == 260
    assert [e["row"] for e in r.json()["errors"]] == list(range(2, 202))
    nothing_written(run, sid)
    latest = run(ResultUpload.select().where(ResultUpload.session == sid).first)
    stored = latest["errors"]
    assert len(json.loads(stored) if isinstance(stored, str) else stored) == 200
    login(client, world.staff)
    back = client.get(f"/training/provider/exams/{sid}/uploads/{latest['id']}/feedback")
    sheet = openpyxl.load_workbook(io.BytesIO(back.content)).active
    marked = [row for row in range(2, 262) if sheet.cell(row, 5).value]
    assert len(marked) == 260
    r = client.post(f"/training/provider/exams/{sid}/results",
                    files={"file": ("成绩.xlsx", xlsx(rows), "application/octet-stream")},
                    data={"_csrf_token": client.cookies["csrftoken"]})
    assert r.status_code == 422
    assert "共 260 处问题，下面列出前 200 处" in r.text
    assert r.text.count("理论成绩必须是 0–100 的数字") == 200


# --- every candidate accounted for; the summary confirmed before submit -----------------------


def test_partial_upload_then_absent_then_confirmed_submit_and_approval(client, run, session_with):
    world, sid, people = session_with(3)
    headers = api_token(client, world.staff)
    (id1, n1), (id2, n2), (id3, n3) = people
    r = upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 85, 90], [id2, n2, 50, 90]]))
    assert r.status_code == 200
    missing = r.json()["summary"]
    assert (missing["missing"], missing["candidates"]) == (1, 3)
    assert missing["missing_candidates"] == [{"name": n3, "id_number": id3[:4] + "*" * 10
                                              + id3[-4:]}]
    assert id3 not in r.text
    r = submit(client, headers, sid, confirmation(missing))
    assert r.status_code == 409
    assert r.json()["detail"].startswith("还有 1 名考生既没有成绩也没有标为缺考，不能提交审核")
    assert state_of(run, sid) == "results_uploaded"
    # a later upload adds the absent candidate and replaces one result; the other stays
    r = upload(client, headers, sid, xlsx([HEADERS, [id3, n3, "缺考", "缺考"],
                                           [id2, n2, 60, 90]]))
    assert (r.json()["accepted"], r.json()["absent"], r.json()["passed"]) == (1, 1, 1)
    shown = summary(client, headers, sid)
    counts = shown["confirm_counts"]
    assert counts == {"candidates": 3, "absent": 1, "passed": 2, "failed": 0}
    # no confirmation, counts without the digest, or counts that no longer match are refused
    r = submit(client, headers, sid, {})
    assert r.status_code == 422 and "成绩汇总" in r.json()["detail"]
    assert r.json()["field"] == "confirm_digest"
    assert client.post(f"/api/v1/exam-sessions/{sid}/submit", headers=headers).status_code == 422
    r = submit(client, headers, sid, {"confirm_counts": counts})
    assert r.status_code == 422 and r.json()["field"] == "confirm_digest"
    stale = {**counts, "passed": 1, "failed": 1}
    r = submit(client, headers, sid, {**confirmation(shown), "confirm_counts": stale})
    assert r.status_code == 409 and r.json()["detail"] == (
        "成绩汇总已变化（现在：考生 3 人，缺考 1 人，合格 2 人，不合格 0 人），"
        "请重新查看汇总并确认后再提交")
    assert r.json()["field"] == "confirm_counts"
    assert state_of(run, sid) == "results_uploaded"
    # the digest alone is enough
    r = submit(client, headers, sid, {"confirm_digest": shown["confirm_digest"]})
    assert r.json()["state"] == "submitted"
    # the officer sees the absent candidate and issues certificates to the two who passed
    officer = api_token(client, world.officer)
    detail = client.get(f"/api/v1/certification/exam-sessions/{sid}", headers=officer).json()
    assert detail["absent"] == 1 and detail["total"] == 3
    assert [(c["name"], c["absent"], c["passed"]) for c in detail["candidates"]] == [
        (n1, False, True), (n2, False, True), (n3, True, False)]
    approved = client.post(f"/api/v1/certification/exam-sessions/{sid}/approve", headers=officer)
    assert approved.status_code == 200, approved.text
    assert len(approved.json()["issued"]) == 2
    login(client, world.officer)
    page = client.get(f"/certification/sessions/{sid}").text
    assert "缺考 1 人" in page and ">缺考</span>" in page


def test_submit_page_confirms_the_counts_and_refuses_a_stale_summary(client, run, session_with):
    world, sid, people = session_with(2)
    (id1, n1), (id2, n2) = people
    headers = api_token(client, world.staff)
    upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 85, 90]]))
    login(client, world.staff)
    detail = client.get(f"/training/provider/exams/{sid}").text
    assert "尚无成绩 1 人" in detail and f"{n2}（{id2[:4]}" in detail
    page = client.get(f"/training/provider/exams/{sid}/submit").text
    assert "不能提交" in page and "人数无误，提交人社局审核" not in page
    upload(client, headers, sid, xlsx([HEADERS, [id2, n2, "缺考", "缺考"]]))
    page = client.get(f"/training/provider/exams/{sid}/submit").text
    assert '<dd class="count-absent">1 人</dd>' in page and "人数无误，提交人社局审核" in page
    shown = {"candidates": 2, "absent": 1, "passed": 1, "failed": 0,
             "confirm_digest": page_digest(page)}
    # the old one-click submit is gone: without the counts it is refused
    r = post_form(client, f"/training/provider/exams/{sid}/move", {"action": "submit"},
                  follow_redirects=True)
    assert "提交前请先查看成绩汇总" in r.text and state_of(run, sid) == "results_uploaded"
    # the provider re-uploads in another tab: the page's counts are now stale
    upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 50, 90]]))
    r = post_form(client, f"/training/provider/exams/{sid}/submit", shown)
    assert r.status_code == 409 and "成绩汇总已变化" in r.text
    assert state_of(run, sid) == "results_uploaded"
    assert page_digest(r.text) != shown["confirm_digest"]  # the page shows the new summary
    r = post_form(client, f"/training/provider/exams/{sid}/submit",
                  {**shown, "passed": 0, "failed": 1, "confirm_digest": page_digest(r.text)},
                  follow_redirects=True)
    assert "成绩已提交人社局审核" in r.text and state_of(run, sid) == "submitted"


def test_the_absent_candidate_sees_absent_once_approved(client, run, make_provider, make_trainee):
    from training.tables import ExamRegistration

    world = make_provider()
    at = clock.now()
    session = ExamSession(provider=world.provider_id, qualification_code="CHILDCARE_WORKER",
                          level=4, exam_on=clock.today(), place="考场", state="closed",
                          created_at=at, updated_at=at)
    run(session.save)
    username, _, person_id, number = make_trainee("缺考生")
    run(ExamRegistration.insert(ExamRegistration(
        session=session.id, person=person_id, route="conditions", eligible=True,
        status="confirmed", created_at=at)))
    staff = api_token(client, world.staff)
    r = upload(client, staff, session.id, xlsx([HEADERS, [number, "缺考生", "缺考", "缺考"]]))
    assert r.json()["absent"] == 1
    trainee = api_token(client, username)
    mine = client.get("/api/v1/exam-registrations/mine", headers=trainee).json()
    assert (mine[0]["absent"], mine[0]["result"]) == (False, None)  # not before approval
    assert submit(client, staff, session.id,
                  confirmation(summary(client, staff, session.id))).status_code == 200
    officer = api_token(client, world.officer)
    approved = client.post(f"/api/v1/certification/exam-sessions/{session.id}/approve",
                           headers=officer)
    assert approved.status_code == 200 and approved.json()["issued"] == []
    mine = client.get("/api/v1/exam-registrations/mine", headers=trainee).json()
    assert (mine[0]["absent"], mine[0]["result"]) == (True, None)
    login(client, username)
    assert "本次考试缺考，不发证书" in client.get("/training/exams").text
