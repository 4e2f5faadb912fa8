"""Provider pages of one recorded class session: correct it or void it (with a reason), and
see its history and any integrity flag on it."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.accounts.auth import actor_of, roles
from core.errors import DomainError
from core.forms import FormReader
from core.roles import Role
from core.web import FormData, errors_of, page, redirect_with
from training import states as st
from training.controllers.common import form_of, many, read_ids, read_session
from training.services import hours, hours_changes
from training.services.courses import get_course

BASE = "/training/provider/sessions"


def _form_of_session(row: hours.ClassSessionRow, present: set[int]) -> dict[str, Any]:
    return {"held_on": row.held_on.isoformat(),
            "starts_at": row.starts_at.strftime("%H:%M") if row.starts_at else "",
            "ends_at": row.ends_at.strftime("%H:%M") if row.ends_at else "",
            "kind": row.kind, "hours": str(row.hours), "topic": row.topic,
            "present": [str(e) for e in sorted(present)], "reason": "", "void_reason": ""}


class ClassSessionPages(Controller):
    path = BASE
    include_in_schema = False
    guards = [roles(Role.PROVIDER_STAFF)]

    async def _page(self, request: Request, session_id: int, form: dict | None = None,
                    errors: dict | None = None, status_code: int = 200) -> Template:
        actor = actor_of(request)
        row = await hours.session_row(session_id, actor)
        course = await get_course(row.course_id, actor)
        members = await hours.attendance_of(row)
        present = {m.enrolment_id for m in members if m.present}
        flags = (await hours_changes.open_flags(course.id)).get(session_id, [])
        return page(request, "training/class_session.html", status_code=status_code,
                    page_title="上课记录", course=course, session=row, flags=flags,
                    members=members, form=form or _form_of_session(row, present),
                    errors=errors or {},
                    history=await hours_changes.history(session_id, actor), st=st)

    @get("/{session_id:int}")
    async def show(self, request: Request, session_id: FromPath[int]) -> Template:
        return await self._page(request, session_id)

    @post("/{session_id:int}")
    async def correct(self, request: Request, session_id: FromPath[int],
                      data: FormData) -> Template | Redirect:
        form = form_of(data)
        form["present"] = many(data, "present")
        reader = FormReader(form)
        change = read_session(reader)
        present = read_ids(reader, data, "present", "出勤学员")
        reason = reader.text("reason", "更正原因", required=True, max_length=500)
        try:
            reader.done()
            assert change is not None
            await hours_changes.correct_session(session_id, change, present, reason,
                                                actor_of(request))
        except DomainError as error:
            return await self._page(request, session_id, form, errors_of(error),
                                    error.status_code)
        return redirect_with(request, f"{BASE}/{session_id}", "已更正，原记录保留在历史中")

    @post("/{session_id:int}/void")
    async def void(self, request: Request, session_id: FromPath[int],
                   data: FormData) -> Template | Redirect:
        form = form_of(data)
        reader = FormReader(form)
        reason = reader.text("void_reason", "作废原因", required=True, max_length=500)
        try:
            reader.done()
            await hours_changes.void_session(session_id, reason, actor_of(request))
        except DomainError as error:
            row = await hours.session_row(session_id, actor_of(request))
            present = {m.enrolment_id for m in await hours.attendance_of(row) if m.present}
            base = _form_of_session(row, present)
            errors = {"void_reason" if field == "reason" else field: message
                      for field, message in errors_of(error).items()}
            return await self._page(request, session_id, {**base, **form}, errors,
                                    error.status_code)
        return redirect_with(request, f"{BASE}/{session_id}", "该次课已作废，不再计学时")
