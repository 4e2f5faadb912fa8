"""Examine existing data against the integrity rules (no results or certificates before the exam,
class hours as the rules allow, declared is not verified); rewrite nothing.

``python -m training.integrity`` (also run once by migration 2026-11-30T00:21:00) reports the
rows today's rules would refuse:

- exam sessions approved before their exam date, and certificates dated before their exam;
- class sessions recorded before the day they were held, and sessions recorded twice (same
  class, same day, overlapping times — or, without times, the same kind); a trainee present in
  two overlapping sessions of different classes;
- training certificates resting on such hours.

Nothing is deleted or re-dated. Affected certificates go to the officers' review queue
(certification's, through ``training.ports.CERTIFICATION``), affected sessions get a
SessionFlag for the provider to correct or void (shown on the course page). Both are keyed, so
a second run adds nothing.
The report prints counts and rows with names, dates and certificate numbers, never ID numbers.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from core import audit, clock, db
from core.actor import Actor
from training import states as s
from training.hours_rules import Slot, clash, fmt_span, wall_time
from training.ports import CERTIFICATION
from training.tables import (
    Attendance,
    ClassSession,
    Enrolment,
    ExamResult,
    ExamSession,
    SessionFlag,
)

SECTIONS = {
    "approved_before_exam": "考试日期前即审核通过的考核批次",
    "issued_before_exam": "发证日期早于考试日期的证书",
    "future_date": "上课日期晚于记录日期（或当天下课前即已记录）的上课记录",
    "duplicate": "重复记录的上课记录",
    "trainee_overlap": "同一时间出勤两个班次的学员",
    "hours_flagged": "依据存疑学时发放的培训合格证明",
}
# A certificate already revoked or replaced needs no review (it is still reported).
SETTLED = ("revoked", "superseded")


@dataclass
class Report:
    """Rows found per section (human-readable lines) and what was added this run."""

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
    if await CERTIFICATION.get().enqueue_review(credential_id, kind, reason,
                                                f"integrity:{kind}:{credential_id}"):
        report.queued += 1


async def _flag(report: Report, session_id: int, kind: str, detail: str,
                enrolment_id: int | None = None) -> None:
    key = f"{kind}:{session_id}" + (f":{enrolment_id}" if enrolment_id else "")
    if await SessionFlag.exists().where(SessionFlag.key == key):
        return
    await SessionFlag(session=session_id, enrolment=enrolment_id, kind=kind, detail=detail,
                      key=key, state="open", created_at=clock.now()).save()
    report.flagged += 1


async def _exams(report: Report) -> None:
    from core.tables import Credential

    sessions = {r["id"]: r for r in await ExamSession.select(
        ExamSession.id, ExamSession.exam_on, ExamSession.approved_at, ExamSession.level,
        ExamSession.qualification_code, ExamSession.provider.name,
    ).where(ExamSession.approved_at.is_not_null())}
    early = {sid for sid, r in sessions.items()
             if clock.to_china_date(r["approved_at"]) < r["exam_on"]}
    from training.services.catalogue import level_names, qualification_names

    quals, levels = await qualification_names(), await level_names()
    for sid in sorted(early):
        r = sessions[sid]
        code = r["qualification_code"]
        report.rows["approved_before_exam"].append(
            f"{r['provider.name']} {quals.get(code, code)} "
            f"{levels.get((code, r['level']), r['level'])}：考试日期 {r['exam_on']}，"
            f"审核通过于 {clock.to_china_date(r['approved_at'])}")
    result_session = {r["id"]: r["session"] for r in await ExamResult.select(
        ExamResult.id, ExamResult.session)}
    creds = await Credential.select(
        Credential.id, Credential.number, Credential.issued_on, Credential.origin_id,
        Credential.status, Credential.person.name,
    ).where((Credential.origin_type == "exam_result") & (Credential.source == "issued"))
    for c in sorted(creds, key=lambda c: c["id"]):
        sid = result_session.get(c["origin_id"])
        if sid not in sessions:  # certificates come from approved sessions only
            continue
        exam_on = sessions[sid]["exam_on"]
        who = f"证书 {c['number']}（{c['person.name']}）"
        settled = c["status"] in SETTLED  # reported, but nothing left for an officer to do
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
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(clock.CHINA)


def _before_the_end(row: dict) -> bool:
    """A session of its recording day saved before its end time (China time): hours for a
    class not yet over."""
    end = wall_time(row["held_on"], row["ends_at"])
    return end is not None and _recorded_at(row).time().replace(tzinfo=None) < end


async def _sessions(report: Report) -> set[int]:
    """Flag doubtful class sessions; returns the ids of every doubtful session."""
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
                 f"{s.HOURS_KIND_LABELS.get(r['kind'], r['kind'])} {r['hours']} 学时")
        r["label"] = label
        recorded_on = clock.to_china_date(r["created_at"])
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
                         f"的{s.HOURS_KIND_LABELS.get(e['kind'], '')}课")
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
    from core.tables import Credential

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


async def examine(actor: Actor | None = None) -> Report:
    """Run every check, queue and flag what is found (idempotent); returns the report.

    One transaction; reads and adds rows, changes none. A run that finds something is audited
    with its counts; a run over clean data (every fresh database's migration) leaves no row."""
    actor = actor or Actor.system("integrity")
    report = Report()
    async with db.transaction():
        await _exams(report)
        doubtful = await _sessions(report)
        await _training_certificates(report, doubtful)
        if any(report.rows.values()) or report.queued or report.flagged:
            await audit.record(actor, "integrity.examine", "integrity", "", after={
                **{k: len(v) for k, v in report.rows.items()},
                "queued": report.queued, "flagged": report.flagged})
    return report


async def _main() -> None:
    from core.db import on_shutdown, on_startup
    from core.manage import wire

    wire()  # the composition: certification's review queue behind training.ports
    await on_startup()
    try:
        print((await examine()).text())
    finally:
        await on_shutdown()


if __name__ == "__main__":  # pragma: no cover — exercised through examine() in the tests
    asyncio.run(_main())
    sys.exit(0)
