"""The working-day calendar as officers maintain it: rows of holidays and make-up days.

A data migration seeds the table from its own copy of `employers/data/holidays.json`; from then
on officers edit the rows and deadlines are counted on them (`employers.workdays.WorkCalendar`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core import audit, clock, db
from core.actor import Actor
from core.errors import Conflict, NotFound, ValidationError
from employers.tables import WorkCalendarDay
from employers.workdays import WorkCalendar

KINDS = {"holiday": "放假", "makeup_workday": "调休上班"}


async def load() -> WorkCalendar:
    """The calendar as the table holds it now."""
    rows = await WorkCalendarDay.select(
        WorkCalendarDay.day, WorkCalendarDay.kind, WorkCalendarDay.provisional)
    years = {r["day"].year for r in rows}
    provisional = {r["day"].year for r in rows if r["provisional"]}
    return WorkCalendar(
        frozenset(r["day"] for r in rows if r["kind"] == "holiday"),
        frozenset(r["day"] for r in rows if r["kind"] == "makeup_workday"),
        frozenset(years), frozenset(provisional),
    )


@dataclass(frozen=True)
class CalendarDay:
    """One row of the calendar: the day, its kind (a ``KINDS`` code: ``holiday`` or
    ``makeup_workday``), the holiday's name, the notice it comes from (``source``) and whether
    it is provisional (the year's notice not yet published)."""

    id: int
    day: date
    kind: str
    name: str
    source: str
    provisional: bool


async def list_days(year: int | None = None) -> list[CalendarDay]:
    """The calendar's days in date order, only those of ``year`` when given."""
    query = WorkCalendarDay.select(
        WorkCalendarDay.id, WorkCalendarDay.day, WorkCalendarDay.kind, WorkCalendarDay.name,
        WorkCalendarDay.source, WorkCalendarDay.provisional).order_by(WorkCalendarDay.day)
    if year:
        query = query.where(
            (WorkCalendarDay.day >= date(year, 1, 1)) & (WorkCalendarDay.day <= date(year, 12, 31)))
    return [CalendarDay(id=r["id"], day=r["day"], kind=r["kind"], name=r["name"],
                        source=r["source"], provisional=r["provisional"]) for r in await query]


async def save_day(day: date, kind: str, name: str, source: str, provisional: bool,
                   actor: Actor) -> WorkCalendarDay:
    """Add or change one day (one transaction)."""
    async with db.transaction():
        if kind not in KINDS:
            raise ValidationError("请选择类型（放假或调休上班）", "kind")
        if kind == "makeup_workday" and day.weekday() < 5:
            raise ValidationError("调休上班日应为周六或周日", "day")
        if not source.strip():
            raise ValidationError("请填写依据（国务院办公厅通知名称、文号）", "source")
        row = await WorkCalendarDay.objects().where(WorkCalendarDay.day == day).first()
        before = None if row is None else {"kind": row.kind, "name": row.name}
        now = clock.now()
        if row is None:
            row = WorkCalendarDay(day=day)
        row.kind, row.name, row.source = kind, name.strip(), source.strip()
        row.provisional, row.updated_by, row.updated_at = provisional, actor.user_id, now
        await row.save()
        await audit.record(actor, "work_calendar.save", "work_calendar_day", row.id, before=before,
                           after={"day": day, "kind": kind, "name": row.name})
        return row


async def delete_day(day_id: int, actor: Actor) -> None:
    async with db.transaction():
        row = await WorkCalendarDay.objects().where(WorkCalendarDay.id == day_id).first()
        if row is None:
            raise NotFound("未找到该日期")
        if row.day < clock.today() - timedelta(days=366):
            raise Conflict("一年以前的日期已用于计算期限，不能删除", "day")
        await WorkCalendarDay.delete().where(WorkCalendarDay.id == day_id)
        await audit.record(actor, "work_calendar.delete", "work_calendar_day", day_id,
                           before={"day": row.day, "kind": row.kind, "name": row.name})
