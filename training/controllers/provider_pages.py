"""Provider staff pages: courses, enrolments, attendance (whole class in one form), hours
progress and completion, exam sessions, registrations, results upload and submission."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody, QueryParameter
from litestar.response import Redirect, Template

from core import clock
from core.accounts.auth import actor_of, roles
from core.errors import DomainError
from core.forms import FormReader
from core.identity import IdType
from core.reporting.exports import attachment
from core.roles import Role
from core.web import FormData, PageNumber, errors_of, form_page, page, redirect_with
from training import states as s
from training.controllers.common import form_of, labels, many, read_ids, read_session
from training.results_file import MAX_LISTED_ERRORS
from training.services import courses, enrolment, exam_dates, exams, hours, hours_changes, results
from training.services.catalogue import level_rule, skill_levels
from training.services.courses import CourseInput
from training.services.evidence import EvidenceSeen, evidence_download
from training.services.providers import scopes_of
from training.services.results_summary import COUNT_KEYS
from training.services.results_template import session_template

BASE = "/training/provider"
StateQuery = Annotated[str, QueryParameter(name="state")]


async def _course_options(provider_id: int) -> list[tuple[str, str]]:
    ctx = await labels()
    out = []
    for row in await scopes_of(provider_id, s.SCOPE_TRAIN):
        label = ctx["quals"].get(row.qualification_code, row.qualification_code)
        if row.level is not None:
            label += f" {ctx['levels'].get(row.choice, row.level)}"
        out.append((row.choice, label))
    return out


# Service fields that a page form shows under another input.
COURSE_FIELDS = {"qualification_code": "qualification", "level": "qualification",
                 "kind": "qualification", "fee_fen": "fee_yuan"}


def _qualification(reader: FormReader, label: str) -> tuple[str, int | None]:
    """The 'CODE:level' (or 'CODE') chosen in the qualification select."""
    code, _, lvl = reader.raw("qualification").strip().partition(":")
    if not code:
        reader.fail("qualification", f"请选择{label}")
    elif lvl and not (lvl.isdigit() and len(lvl) == 1):
        reader.fail("qualification", f"{label}取值无效")
    return code, int(lvl) if lvl.isdigit() and len(lvl) == 1 else None


def _course_input(form: dict) -> CourseInput:
    """Read the course form; every field at fault is reported at once (FieldErrors)."""
    reader = FormReader(form)
    code, level = _qualification(reader, "职业（工种）或培训项目")
    title = reader.text("title", "班次名称", required=True, max_length=100)
    theory = reader.int("theory_hours_required", "理论学时", minimum=0, maximum=courses.MAX_HOURS)
    practical = reader.int("practical_hours_required", "实操学时", minimum=0,
                           maximum=courses.MAX_HOURS)
    if theory == 0 and practical == 0:
        reader.fail("theory_hours_required", "理论与实操学时不能都为 0")
    capacity = reader.int("capacity", "招生人数", minimum=1, maximum=courses.MAX_CAPACITY)
    starts_on = reader.date("starts_on", "开班日期", required=True)
    ends_on = reader.date("ends_on", "结业日期", required=True)
    if starts_on and ends_on and ends_on < starts_on:
        reader.fail("ends_on", "结业日期不能早于开班日期")
    place = reader.text("place", "上课地点", max_length=200)
    fee_fen = reader.yuan("fee_yuan", "费用", required=False)
    description = reader.text("description", "说明", max_length=2000)
    reader.done()
    assert starts_on and ends_on and theory is not None and practical is not None and capacity
    return CourseInput(
        kind="skill" if level is not None else "training", title=title,
        qualification_code=code, level=level, theory_hours_required=theory,
        practical_hours_required=practical, capacity=capacity, starts_on=starts_on,
        ends_on=ends_on, place=place, fee_fen=fee_fen or 0,  # an empty fee is free (0 元)
        subsidy_eligible=form.get("subsidy_eligible") == "1", description=description)


def _on_form(exc: DomainError, fields: dict[str, str]) -> dict[str, str]:
    """errors_of(exc) with service field names moved to the inputs that show them."""
    out: dict[str, str] = {}
    for field, message in errors_of(exc).items():
        out.setdefault(fields.get(field, field), message)
    return out


class ProviderCoursePages(Controller):
    path = BASE + "/courses"
    include_in_schema = False
    guards = [roles(Role.PROVIDER_STAFF)]

    @get("/")
    async def index(self, request: Request, course_state: StateQuery = "",
                    page_number: PageNumber = 1) -> Template:
        result = await courses.provider_courses(actor_of(request), course_state, page_number)
        return page(request, "training/provider_courses.html", page_title="班次管理",
                    result=result, state=course_state, **await labels())

    @get("/new")
    async def new(self, request: Request) -> Template:
        actor = actor_of(request)
        return page(request, "training/course_form.html", page_title="新建班次",
                    options=await _course_options(actor.organisation_id or 0),
                    form={"capacity": "30", "fee_yuan": "0"})

    @post("/new")
    async def create(self, request: Request, data: FormData) -> Template | Redirect:
        form = form_of(data)
        actor = actor_of(request)
        try:
            course_id = await courses.create_course(_course_input(form), actor)
        except DomainError as error:
            return form_page(request, "training/course_form.html", form,
                             _on_form(error, COURSE_FIELDS), page_title="新建班次",
                             options=await _course_options(actor.organisation_id or 0))
        return redirect_with(request, f"{BASE}/courses/{course_id}",
                             "班次已创建（草稿），开放报名后学员即可报名")

    @get("/{course_id:int}")
    async def detail(self, request: Request, course_id: FromPath[int]) -> Template:
        actor = actor_of(request)
        course = await courses.get_course(course_id, actor)
        return page(request, "training/provider_course.html", page_title=course.title,
                    course=course, enrolments=await enrolment.course_enrolments(course_id, actor),
                    progress=await hours.progress_by_enrolment(course),
                    sessions=await hours.sessions_of(course_id, actor),
                    flags=await hours_changes.open_flags(course_id),
                    seats=await courses.seats_taken(course_id), **await labels())

    @post("/{course_id:int}/state")
    async def state(self, request: Request, course_id: FromPath[int], data: FormData) -> Redirect:
        form = form_of(data)
        try:
            await courses.transition(course_id, form.get("state", ""), actor_of(request),
                                     form.get("reason", ""))
        except DomainError as error:
            return redirect_with(request, f"{BASE}/courses/{course_id}", error.message, "error")
        return redirect_with(request, f"{BASE}/courses/{course_id}", "班次状态已更新")

    @post("/{course_id:int}/enrolments/{enrolment_id:int}")
    async def decide(self, request: Request, course_id: FromPath[int],
                     enrolment_id: FromPath[int], data: FormData) -> Redirect:
        form = form_of(data)
        back = f"{BASE}/courses/{course_id}"
        actor = actor_of(request)
        try:
            if form.get("decision") == "complete":
                credential_id = await hours.complete(enrolment_id, actor)
                message = "已结业" + ("，培训合格证明已发放" if credential_id else "")
            else:
                state = await enrolment.decide(enrolment_id, form.get("decision", ""),
                                               form.get("reason", ""), actor)
                message = {"accepted": "已录取", "rejected": "已不予录取",
                           "waitlisted": "已列入候补"}.get(state, "已处理")
        except DomainError as error:
            return redirect_with(request, back, error.message, "error")
        return redirect_with(request, back, message)

    @post("/{course_id:int}/enrolments/decisions")
    async def decide_many(self, request: Request, course_id: FromPath[int],
                          data: FormData) -> Redirect:
        """The ticked enrolments accepted or rejected together; the flash names each person."""
        back = f"{BASE}/courses/{course_id}"
        form = form_of(data)
        reader = FormReader(form)
        ids = read_ids(reader, data, "ids", "所选报名")
        try:
            reader.done()
            outcomes = await enrolment.decide_many(course_id, sorted(ids),
                                                   form.get("action", ""),
                                                   form.get("reason", ""), actor_of(request))
        except DomainError as error:
            return redirect_with(request, back, error.message, "error")
        return redirect_with(request, back, "批量处理完成：" + enrolment.bulk_summary(outcomes))

    @post("/{course_id:int}/complete-all")
    async def complete_all(self, request: Request, course_id: FromPath[int]) -> Redirect:
        back = f"{BASE}/courses/{course_id}"
        try:
            done, short = await hours.complete_all(course_id, actor_of(request))
        except DomainError as error:
            return redirect_with(request, back, error.message, "error")
        return redirect_with(request, back, f"{done} 人结业；{short} 人学时不足未结业")

    async def _attendance_page(self, request: Request, course_id: int, form: dict,
                               errors: dict, status_code: int = 200) -> Template:
        actor = actor_of(request)
        course = await courses.get_course(course_id, actor)
        members = await enrolment.course_enrolments(course_id, actor, "accepted")
        return page(request, "training/attendance.html", status_code=status_code,
                    page_title="记录学时", course=course, members=members, form=form,
                    errors=errors)

    @get("/{course_id:int}/attendance")
    async def attendance_form(self, request: Request, course_id: FromPath[int]) -> Template:
        return await self._attendance_page(request, course_id, {"kind": "theory", "hours": "4",
                                                                 "all_present": True}, {})

    @post("/{course_id:int}/attendance")
    async def attendance(self, request: Request, course_id: FromPath[int],
                         data: FormData) -> Template | Redirect:
        form = form_of(data)
        present_raw = many(data, "present")
        reader = FormReader(form)
        fields = read_session(reader)
        present = read_ids(reader, data, "present", "出勤学员")
        try:
            reader.done()
            assert fields is not None
            session_id = await hours.record_session(
                course_id, fields.held_on, fields.kind, fields.hours, fields.topic, present,
                actor_of(request), starts_at=fields.starts_at, ends_at=fields.ends_at)
        except DomainError as error:
            return await self._attendance_page(
                request, course_id, {**form, "present": present_raw}, errors_of(error),
                error.status_code)
        del session_id
        return redirect_with(request, f"{BASE}/courses/{course_id}",
                             f"已记录本次课，出勤 {len(present)} 人")



@dataclass
class UploadForm:
    file: UploadFile | None = None
    _csrf_token: str = ""


@dataclass
class DecideForm:
    """Confirm or reject a registration; a declared-only condition needs evidence seen."""

    decision: str = ""
    reason: str = ""
    evidence_note: str = ""
    evidence_file: UploadFile | None = None
    _csrf_token: str = ""


@dataclass
class OnBehalfForm:
    """A trainee registered by the provider: what the provider types, the condition chosen
    and the evidence seen."""

    id_type: str = ""
    id_number: str = ""
    name: str = ""
    condition: str = ""
    evidence_note: str = ""
    evidence_file: UploadFile | None = None
    _csrf_token: str = ""


class ProviderExamPages(Controller):
    path = BASE + "/exams"
    include_in_schema = False
    guards = [roles(Role.PROVIDER_STAFF)]

    async def _index(self, request: Request, form: dict, errors: dict, status_code: int = 200,
                     page_number: int = 1) -> Template:
        actor = actor_of(request)
        examined = {r.choice for r in await scopes_of(actor.organisation_id or 0,
                                                      s.SCOPE_EXAMINE)}
        options = [(k, v) for k, v in await skill_levels() if k in examined]
        return page(request, "training/provider_exams.html", status_code=status_code,
                    page_title="考试场次", result=await exams.provider_sessions(actor, page_number),
                    options=options, form=form, errors=errors, **await labels())

    @get("/")
    async def index(self, request: Request, page_number: PageNumber = 1) -> Template:
        return await self._index(request, {}, {}, page_number=page_number)

    @post("/")
    async def create(self, request: Request, data: FormData) -> Template | Redirect:
        form = form_of(data)
        reader = FormReader(form)
        code, level = _qualification(reader, "职业（工种）和等级")
        if code and level is None and "qualification" not in reader.errors:
            reader.fail("qualification", "请选择职业（工种）和等级")
        exam_on = reader.date("exam_on", "考试日期", required=True)
        place = reader.text("place", "考试地点", max_length=200)
        try:
            reader.done()
            assert exam_on is not None and level is not None
            session_id = await exams.create_session(code, level, exam_on, place,
                                                    actor_of(request))
        except DomainError as error:
            return await self._index(request, form, _on_form(error, COURSE_FIELDS),
                                     error.status_code)
        return redirect_with(request, f"{BASE}/exams/{session_id}", "考试场次已创建（草稿）")

    async def _detail(self, request: Request, session_id: int, errors: list | None = None,
                      status_code: int = 200, ob_form: dict | None = None,
                      ob_errors: dict | None = None) -> Template:
        actor = actor_of(request)
        session = await exams.get_session(session_id, actor)
        on_behalf = {"rows": await exams.on_behalf_of_session(session_id, actor),
                     "conditions": exams.conditions_of(session),
                     "id_types": [(t.value, t.value) for t in IdType], "form": ob_form or {},
                     "errors": ob_errors or {}}
        rule = await level_rule(session.qualification_code, session.level)
        latest = await results.latest_upload(session_id)
        return page(request, "training/provider_exam.html", status_code=status_code,
                    page_title="考试场次", session=session, rule=rule,
                    registrations=await exams.registrations_of(session_id, actor),
                    results=await results.results_of(session_id, actor, limit=200),
                    counts=await results.result_counts(session_id), latest=latest,
                    upload_errors=errors, max_listed=MAX_LISTED_ERRORS,
                    summary=await results.summary_of(session_id, actor),
                    absentees=await results.absentees_of(session_id, actor), **await labels(),
                    before_exam=exam_dates.refusal(session.exam_on, clock.today(),
                                                   exam_dates.UPLOAD),
                    on_behalf=on_behalf)

    @get("/{session_id:int}")
    async def detail(self, request: Request, session_id: FromPath[int]) -> Template:
        return await self._detail(request, session_id)

    @post("/{session_id:int}/move")
    async def move(self, request: Request, session_id: FromPath[int], data: FormData) -> Redirect:
        action = str(data.get("action", ""))
        back = f"{BASE}/exams/{session_id}"
        try:
            await exams.move(session_id, action, actor_of(request))
        except DomainError as error:
            return redirect_with(request, back, error.message, "error")
        done = {"open": "已开放报名", "close": "已截止报名", "submit": "成绩已提交人社局审核"}
        return redirect_with(request, back, done.get(action, "已更新"))

    @post("/{session_id:int}/registrations/{registration_id:int}")
    async def decide(self, request: Request, session_id: FromPath[int],
                     registration_id: FromPath[int],
                     data: MultipartBody[DecideForm]) -> Redirect:
        back = f"{BASE}/exams/{session_id}"
        file = data.evidence_file
        seen = EvidenceSeen(
            note=data.evidence_note or "",
            data=await file.read() if isinstance(file, UploadFile) else b"",
            filename=(file.filename or "") if isinstance(file, UploadFile) else "")
        try:
            await exams.decide_registration(registration_id, data.decision == "confirm",
                                            data.reason or "", actor_of(request), seen)
        except DomainError as error:
            return redirect_with(request, back, error.message, "error")
        return redirect_with(request, back, "已处理该报名")

    @post("/{session_id:int}/on-behalf")
    async def on_behalf(self, request: Request, session_id: FromPath[int],
                        data: MultipartBody[OnBehalfForm]) -> Template | Redirect:
        """Register a trainee for this session on their behalf (待本人确认)."""
        file = data.evidence_file
        seen = EvidenceSeen(
            note=data.evidence_note or "",
            data=await file.read() if isinstance(file, UploadFile) else b"",
            filename=(file.filename or "") if isinstance(file, UploadFile) else "")
        form = {"id_type": data.id_type, "id_number": data.id_number, "name": data.name,
                "condition": data.condition, "evidence_note": data.evidence_note}
        try:
            condition = int(data.condition) if data.condition.strip().isdigit() else 0
            await exams.register_on_behalf(session_id, exams.OnBehalfInput(
                data.id_type, data.id_number, data.name, condition), seen, actor_of(request))
        except DomainError as error:
            return await self._detail(request, session_id, status_code=error.status_code,
                                      ob_form=form, ob_errors=errors_of(error))
        return redirect_with(request, f"{BASE}/exams/{session_id}",
                             "已代为报名，待本人确认：请本人登录平台在“我的考试”中确认，"
                             "或向本人发送验证码")

    @post("/{session_id:int}/on-behalf/{request_id:int}/send-code")
    async def on_behalf_code(self, request: Request, session_id: FromPath[int],
                             request_id: FromPath[int]) -> Redirect:
        back = f"{BASE}/exams/{session_id}"
        try:
            message = await exams.send_on_behalf_code(request_id, actor_of(request))
        except DomainError as error:
            return redirect_with(request, back, error.message, "error")
        return redirect_with(request, back, message)

    @post("/{session_id:int}/on-behalf/{request_id:int}/confirm-code")
    async def on_behalf_confirm(self, request: Request, session_id: FromPath[int],
                                request_id: FromPath[int], data: FormData) -> Redirect:
        back = f"{BASE}/exams/{session_id}"
        try:
            await exams.confirm_on_behalf_by_code(request_id, str(data.get("code", "")),
                                                  actor_of(request))
        except DomainError as error:
            return redirect_with(request, back, error.message, "error")
        return redirect_with(request, back, "验证码正确，本人已确认报名")

    @post("/{session_id:int}/results")
    async def upload(self, request: Request, session_id: FromPath[int],
                     data: MultipartBody[UploadForm]) -> Template | Redirect:
        file = data.file
        body = await file.read() if isinstance(file, UploadFile) else b""
        name = file.filename if isinstance(file, UploadFile) else ""
        try:
            outcome = await results.upload_results(session_id, body, name or "", actor_of(request))
        except DomainError as error:
            return redirect_with(request, f"{BASE}/exams/{session_id}", error.message, "error")
        if not outcome.ok:
            return await self._detail(request, session_id, outcome.errors, 422)
        message = f"成绩已保存：{outcome.accepted} 人，合格 {outcome.passed} 人"
        if outcome.absent:
            message += f"，缺考 {outcome.absent} 人"
        if outcome.summary and outcome.summary.missing:
            message += (f"。还有 {outcome.summary.missing} 名考生没有成绩（名单见下方），"
                        "可再上传一个只含他们的文件")
        return redirect_with(request, f"{BASE}/exams/{session_id}", message)

    async def _submit_page(self, request: Request, session_id: int, error: str = "",
                           status_code: int = 200) -> Template:
        actor = actor_of(request)
        session = await exams.get_session(session_id, actor)
        return page(request, "training/provider_exam_submit.html", status_code=status_code,
                    page_title="提交成绩审核", session=session,
                    rule=await level_rule(session.qualification_code, session.level),
                    summary=await results.summary_of(session_id, actor), error=error,
                    **await labels())

    @get("/{session_id:int}/submit")
    async def submit_summary(self, request: Request, session_id: FromPath[int]) -> Template:
        """The confirmation step: the counts the provider is about to submit."""
        return await self._submit_page(request, session_id)

    @post("/{session_id:int}/submit")
    async def submit(self, request: Request, session_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        form = form_of(data)
        counts = {key: form.get(key, "") for key in COUNT_KEYS}
        try:
            await exams.move(session_id, "submit", actor_of(request), counts,
                             str(form.get("confirm_digest", "")))
        except DomainError as error:
            return await self._submit_page(request, session_id, error.message, error.status_code)
        return redirect_with(request, f"{BASE}/exams/{session_id}", "成绩已提交人社局审核")

    @get("/{session_id:int}/template/{ext:str}")
    async def template(self, request: Request, session_id: FromPath[int],
                       ext: FromPath[str]) -> Response[bytes]:
        """The results template filled with the session's confirmed candidates."""
        body, name, media_type = await session_template(session_id, ext, actor_of(request))
        return attachment(body, name, media_type)

    @get("/{session_id:int}/registrations/{registration_id:int}/evidence")
    async def evidence(self, request: Request, session_id: FromPath[int],
                       registration_id: FromPath[int]) -> Response[bytes]:
        """The scan recorded when a declared-only registration was confirmed."""
        name, content_type, body = await evidence_download(registration_id, actor_of(request))
        from urllib.parse import quote
        return Response(body, media_type=content_type, headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}"})

    @get("/{session_id:int}/uploads/{upload_id:int}/feedback")
    async def feedback(self, request: Request, session_id: FromPath[int],
                       upload_id: FromPath[int]) -> Response[bytes]:
        name, content_type, body = await results.feedback_file(session_id, upload_id,
                                                               actor_of(request))
        from urllib.parse import quote
        return Response(body, media_type=content_type, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
