"""Hand-written: seed the minutes-per-学时 rule, then examine the existing data once
against the new integrity rules: doubtful certificates are queued for the officers, doubtful
class sessions flagged for the providers; nothing is changed or deleted. The report is printed
with the migration's output.

Frozen: the rule comes from ``migrations/data/class_hours.json`` (a copy of the file shipped
with this migration, never edited); the examination is the one of ``training.integrity`` as it
was when this migration was written, on the tables as they were then (declared below). Imports
piccolo and the standard library only. ``python -m training.integrity`` runs today's version.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

ID = "2026-11-30T00:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seed class-hour rule; examine existing data (integrity review)"
DATA = Path(__file__).resolve().parent / "data" / "class_hours.json"
CHINA = ZoneInfo("Asia/Shanghai")


class ClassHourRule(Table, tablename="training_class_hour_rule", schema=None):
    id = Serial(null=False, primary_key=True)
    effective_from = Date()
    minutes_per_hour = SmallInt()
    source = Text(default="")
    created_at = Timestamptz()


class Person(Table, tablename="person", schema=None):
    id = Serial(null=False, primary_key=True)
    name = Varchar(length=50)


class Provider(Table, tablename="training_provider", schema=None):
    id = Serial(null=False, primary_key=True)
    name = Varchar(length=100)


class Course(Table, tablename="training_course", schema=None):
    id = Serial(null=False, primary_key=True)
    provider = ForeignKey(Provider)
    title = Varchar(length=100)


class Enrolment(Table, tablename="training_enrolment", schema=None):
    id = Serial(null=False, primary_key=True)
    person = ForeignKey(Person)
    credential_id = Integer(null=True, default=None)


class ClassSession(Table, tablename="training_class_session", schema=None):
    id = Serial(null=False, primary_key=True)
    course = ForeignKey(Course)
    held_on = Date()
    kind = Varchar(length=10)
    hours = Integer()
    created_at = Timestamptz()
    starts_at = Time(null=True, default=None)
    ends_at = Time(null=True, default=None)
    state = Varchar(length=10, default="recorded")


class Attendance(Table, tablename="training_attendance", schema=None):
    id = Serial(null=False, primary_key=True)
    session = ForeignKey(ClassSession)
    enrolment = ForeignKey(Enrolment)
    present = Boolean(default=True)


class SessionFlag(Table, tablename="training_session_flag", schema=None):
    id = Serial(null=False, primary_key=True)
    session = Integer()
    enrolment = Integer(null=True, default=None)
    kind = Varchar(length=20)
    detail = Text(default="")
    key = Varchar(length=80, unique=True)
    state = Varchar(length=10, default="open")
    created_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = Integer(null=True, default=None)


class ExamSession(Table, tablename="training_exam_session", schema=None):
    id = Serial(null=False, primary_key=True)
    provider = ForeignKey(Provider)
    qualification_code = Varchar(length=40)
    level = SmallInt()
    exam_on = Date()
    approved_at = Timestamptz(null=True, default=None)


class ExamResult(Table, tablename="training_exam_result", schema=None):
    id = Serial(null=False, primary_key=True)
    session = Integer()


class Credential(Table, tablename="credential", schema=None):
    id = Serial(null=False, primary_key=True)
    person = ForeignKey(Person)
    number = Varchar(length=40)
    issued_on = Date()
    status = Varchar(length=20, default="valid")
    source = Varchar(length=20, default="issued")
    origin_type = Varchar(length=30, default="")
    origin_id = Integer(null=True, default=None)


class CertificateReview(Table, tablename="certificate_review", schema=None):
    id = Serial(null=False, primary_key=True)
    credential = Integer()
    kind = Varchar(length=30)
    reason = Text(default="")
    details = JSON(default={})
    key = Varchar(length=100, unique=True)
    state = Varchar(length=12, default="open")
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
    decided_by = Integer(null=True, default=None)
    decision_note = Text(default="")
    new_credential = Integer(null=True, default=None)


class Qualification(Table, tablename="qualification", schema=None):
    id = Serial(null=False, primary_key=True)
    code = Varchar(length=40)
    name = Varchar(length=100)
    active = Boolean(default=True)


class QualificationLevel(Table, tablename="qualification_level", schema=None):
    id = Serial(null=False, primary_key=True)
    qualification = ForeignKey(Qualification)
    level = SmallInt()


class AuditLog(Table, tablename="audit_log", schema=None):
    id = Serial(null=False, primary_key=True)
    at = Timestamptz()
    actor_id = Integer(null=True, default=None)
    actor_name = Varchar(length=50, default="")
    actor_role = Varchar(length=30, default="")
    action = Varchar(length=60)
    entity_type = Varchar(length=40)
    entity_id = Varchar(length=40, default="")
    summary = JSON(default={})
    client_ip = Varchar(length=64, default="")


async def seed_class_hour_rules() -> int:
    """Add the file's rows not yet present (by effective date); returns how many were added."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    added = 0
    for item in data["rules"]:
        day = date.fromisoformat(item["effective_from"])
        if await ClassHourRule.exists().where(ClassHourRule.effective_from == day):
            continue
        await ClassHourRule(effective_from=day, minutes_per_hour=int(item["minutes_per_hour"]),
                            source=item["source"], created_at=datetime.now(UTC)).save()
        added += 1
    return added


# ---- the examination, as it was (rules, labels, the review queue and the audit row) ----

SECTIONS = {
    "approved_before_exam": "考试日期前即审核通过的考核批次",
    "issued_before_exam": "发证日期早于考试日期的证书",
    "future_date": "上课日期晚于记录日期（或当天下课前即已记录）的上课记录",
    "duplicate": "重复记录的上课记录",
    "trainee_overlap": "同一时间出勤两个班次的学员",
    "hours_flagged": "依据存疑学时发放的培训合格证明",
}
SETTLED = ("revoked", "superseded")
HOURS_KIND_LABELS = {"theory": "理论", "practical": "实操"}
LEVEL_LABELS = {5: "五级/初级工", 4: "四级/中级工", 3: "三级/高级工", 2: "二级/技师",
                1: "一级/高级技师"}


def level_label(level: object) -> str:
    if level is None or level == "":
        return ""
    try:
        number = int(str(level))
    except ValueError:
        return str(level)
    return LEVEL_LABELS.get(number, f"{level}级")


def to_china_date(instant: datetime) -> date:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(CHINA).date()


def fmt_span(starts_at: time | None, ends_at: time | None) -> str:
    if starts_at is None or ends_at is None:
        return "（未填时间）"
    return f"{starts_at:%H:%M}–{ends_at:%H:%M}"


def wall_time(on: date, value: time | None) -> time | None:
    if value is None or value.tzinfo is None:
        return value
    return datetime.combine(on, value).astimezone(CHINA).time()


@dataclass(frozen=True)
class Slot:
    held_on: date
    starts_at: time | None
    ends_at: time | None
    kind: str


def clash(a: Slot, b: Slot, same_course: bool) -> bool:
    if a.held_on != b.held_on:
        return False
    if None in (a.starts_at, a.ends_at, b.starts_at, b.ends_at):
        return same_course and a.kind == b.kind
    a1, a2, b1, b2 = (wall_time(a.held_on, t) for t in (a.starts_at, a.ends_at, b.starts_at,
                                                         b.ends_at))
    return a1 < b2 and b1 < a2


@dataclass
class Report:
    rows: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in SECTIONS})
    queued: int = 0
    flagged: int = 0

    def text(self) -> str:
        lines = ["数据核查报告（按现行规则）", ""]
        for kind, title in SECTIONS.items():
            found = self.rows[kind]
            lines.append(f"{title}：{len(found)}")
            lines.extend(f"  - {line}" for line in found)
        lines += ["", f"本次新增待核查证书 {self.queued} 项，"
                  f"新增待更正上课记录标记 {self.flagged} 项。", "未删除、未改动任何记录。"]
        return "\n".join(lines)


async def _queue(report: Report, credential_id: int, kind: str, reason: str) -> None:
    key = f"integrity:{kind}:{credential_id}"
    if await CertificateReview.exists().where(CertificateReview.key == key):
        return
    await CertificateReview(credential=credential_id, kind=kind, reason=reason[:2000],
                            details={}, key=key, state="open",
                            created_at=datetime.now(UTC)).save()
    report.queued += 1


async def _flag(report: Report, session_id: int, kind: str, detail: str,
                enrolment_id: int | None = None) -> None:
    key = f"{kind}:{session_id}" + (f":{enrolment_id}" if enrolment_id else "")
    if await SessionFlag.exists().where(SessionFlag.key == key):
        return
    await SessionFlag(session=session_id, enrolment=enrolment_id, kind=kind, detail=detail,
                      key=key, state="open", created_at=datetime.now(UTC)).save()
    report.flagged += 1


async def _exams(report: Report) -> None:
    sessions = {r["id"]: r for r in await ExamSession.select(
        ExamSession.id, ExamSession.exam_on, ExamSession.approved_at, ExamSession.level,
        ExamSession.qualification_code, ExamSession.provider.name,
    ).where(ExamSession.approved_at.is_not_null())}
    early = {sid for sid, r in sessions.items() if to_china_date(r["approved_at"]) < r["exam_on"]}
    quals = {r["code"]: r["name"] for r in await Qualification.select(
        Qualification.code, Qualification.name).where(
        Qualification.active == True).order_by(Qualification.id)}  # noqa: E712
    levels = {(r["qualification.code"], r["level"]): level_label(r["level"])
              for r in await QualificationLevel.select(QualificationLevel.qualification.code,
                                                       QualificationLevel.level)}
    for sid in sorted(early):
        r = sessions[sid]
        code = r["qualification_code"]
        report.rows["approved_before_exam"].append(
            f"{r['provider.name']} {quals.get(code, code)} "
            f"{levels.get((code, r['level']), r['level'])}：考试日期 {r['exam_on']}，"
            f"审核通过于 {to_china_date(r['approved_at'])}")
    result_session = {r["id"]: r["session"] for r in await ExamResult.select(
        ExamResult.id, ExamResult.session)}
    creds = await Credential.select(
        Credential.id, Credential.number, Credential.issued_on, Credential.origin_id,
        Credential.status, Credential.person.name,
    ).where((Credential.origin_type == "exam_result") & (Credential.source == "issued"))
    for c in sorted(creds, key=lambda c: c["id"]):
        sid = result_session.get(c["origin_id"])
        if sid not in sessions:
            continue
        exam_on = sessions[sid]["exam_on"]
        who = f"证书 {c['number']}（{c['person.name']}）"
        settled = c["status"] in SETTLED
        if c["issued_on"] < exam_on:
            report.rows["issued_before_exam"].append(
                f"{who}发证日期 {c['issued_on']}，考试日期 {exam_on}")
            if not settled:
                await _queue(report, c["id"], "issued_before_exam",
                             f"发证日期 {c['issued_on']} 早于考试日期 {exam_on}")
        elif sid in early and not settled:
            await _queue(report, c["id"], "approved_before_exam",
                         f"所属考核批次在考试日期 {exam_on} 前即审核通过")


def _recorded_at(row: dict) -> datetime:
    at = row["created_at"]
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(CHINA)


def _before_the_end(row: dict) -> bool:
    end = wall_time(row["held_on"], row["ends_at"])
    return end is not None and _recorded_at(row).time().replace(tzinfo=None) < end


async def _sessions(report: Report) -> set[int]:
    rows = await ClassSession.select(
        ClassSession.id, ClassSession.course, ClassSession.held_on, ClassSession.starts_at,
        ClassSession.ends_at, ClassSession.kind, ClassSession.hours, ClassSession.created_at,
        ClassSession.course.title, ClassSession.course.provider.name,
    ).where(ClassSession.state == "recorded").order_by(ClassSession.id)
    doubtful: set[int] = set()
    by_day: dict[tuple[int, date], list[dict]] = {}
    for r in rows:
        label = (f"{r['course.provider.name']}“{r['course.title']}”{r['held_on']} "
                 f"{fmt_span(r['starts_at'], r['ends_at'])} "
                 f"{HOURS_KIND_LABELS.get(r['kind'], r['kind'])} {r['hours']} 学时")
        r["label"] = label
        recorded_on = to_china_date(r["created_at"])
        if r["held_on"] > recorded_on:
            report.rows["future_date"].append(f"{label}，记录于 {recorded_on}")
            await _flag(report, r["id"], "future_date",
                        f"上课日期 {r['held_on']} 晚于记录日期 {recorded_on}")
            doubtful.add(r["id"])
        elif r["held_on"] == recorded_on and _before_the_end(r):
            at = _recorded_at(r)
            report.rows["future_date"].append(f"{label}，记录于 {recorded_on} {at:%H:%M}")
            await _flag(report, r["id"], "future_date",
                        f"记录于当天 {at:%H:%M}，早于下课时间 "
                        f"{wall_time(r['held_on'], r['ends_at']):%H:%M}")
            doubtful.add(r["id"])
        earlier = by_day.setdefault((r["course"], r["held_on"]), [])
        slot = Slot(r["held_on"], r["starts_at"], r["ends_at"], r["kind"])
        for e in earlier:
            if clash(slot, Slot(e["held_on"], e["starts_at"], e["ends_at"], e["kind"]), True):
                other = (f"{fmt_span(e['starts_at'], e['ends_at'])} "
                         f"的{HOURS_KIND_LABELS.get(e['kind'], '')}课")
                report.rows["duplicate"].append(f"{label}，与同日 {other}重复")
                await _flag(report, r["id"], "duplicate",
                            f"与本班 {e['held_on']} {other}（{e['hours']} 学时）重复")
                doubtful.add(r["id"])
                break
        earlier.append(r)
    await _trainees(report, {r["id"]: r for r in rows}, doubtful)
    return doubtful


async def _trainees(report: Report, sessions: dict[int, dict], doubtful: set[int]) -> None:
    present = await Attendance.select(
        Attendance.session, Attendance.enrolment, Attendance.enrolment.person,
        Attendance.enrolment.person.name,
    ).where((Attendance.present == True)  # noqa: E712
            & Attendance.session.is_in(sorted(sessions) or [0])).order_by(Attendance.session)
    seen: dict[tuple[int, date], list[dict]] = {}
    for a in present:
        here = sessions[a["session"]]
        key = (a["enrolment.person"], here["held_on"])
        for prev in seen.get(key, []):
            there = sessions[prev["session"]]
            if there["course"] == here["course"]:
                continue
            if clash(Slot(here["held_on"], here["starts_at"], here["ends_at"], here["kind"]),
                     Slot(there["held_on"], there["starts_at"], there["ends_at"], there["kind"]),
                     False):
                report.rows["trainee_overlap"].append(
                    f"{a['enrolment.person.name']}：{here['label']} 与 {there['label']} 时间重叠")
                await _flag(report, here["id"], "trainee_overlap",
                            f"学员{a['enrolment.person.name']}同一时间出勤"
                            f"“{there['course.title']}”的课", a["enrolment"])
                doubtful.add(here["id"])
                break
        seen.setdefault(key, []).append(a)


async def _training_certificates(report: Report, doubtful: set[int]) -> None:
    if not doubtful:
        return
    resting = await Attendance.select(Attendance.enrolment, Attendance.session).where(
        (Attendance.present == True) & Attendance.session.is_in(sorted(doubtful)))  # noqa: E712
    by_enrolment: dict[int, int] = {}
    for r in resting:
        by_enrolment[r["enrolment"]] = by_enrolment.get(r["enrolment"], 0) + 1
    enrolments = await Enrolment.select(Enrolment.id, Enrolment.credential_id).where(
        Enrolment.id.is_in(sorted(by_enrolment) or [0]) & Enrolment.credential_id.is_not_null())
    for e in sorted(enrolments, key=lambda e: e["id"]):
        cred = await Credential.select(Credential.number, Credential.status,
                                       Credential.person.name).where(
            Credential.id == e["credential_id"]).first()
        if cred is None:
            continue
        report.rows["hours_flagged"].append(
            f"培训合格证明 {cred['number']}（{cred['person.name']}）所依据的学时含 "
            f"{by_enrolment[e['id']]} 次存疑上课记录")
        if cred["status"] in SETTLED:
            continue
        await _queue(report, e["credential_id"], "hours_flagged",
                     f"所依据的学时含 {by_enrolment[e['id']]} 次存疑上课记录"
                     "（未来日期、重复或时间重叠）")


async def examine() -> Report:
    """Run every check, queue and flag what is found (idempotent; inside the migration's
    transaction); a run that finds something writes one audit row with its counts."""
    report = Report()
    await _exams(report)
    doubtful = await _sessions(report)
    await _training_certificates(report, doubtful)
    if any(report.rows.values()) or report.queued or report.flagged:
        after = {**{k: len(v) for k, v in report.rows.items()},
                 "queued": report.queued, "flagged": report.flagged}
        await AuditLog.insert(AuditLog(
            at=datetime.now(UTC), actor_id=None, actor_name="integrity", actor_role="system",
            action="integrity.examine", entity_type="integrity", entity_id="",
            summary={"after": after}, client_ip=""))
    return report


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        await seed_class_hour_rules()
        report = await examine()
        print()
        print(report.text())

    manager.add_raw(run)
    return manager
