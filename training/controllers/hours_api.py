"""API of recorded class sessions: correct, void, history (a course's sessions with their integrity
flags are listed by training.controllers.api.CoursesApi.class_sessions)."""

from __future__ import annotations

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody

from core.accounts.auth import actor_of, roles
from core.roles import Role
from training import schemas as sc
from training.services import hours, hours_changes

STAFF = (Role.PROVIDER_STAFF,)
READERS = (Role.PROVIDER_STAFF, Role.HRSS_OFFICER, Role.ADMIN)


class ClassSessionsApi(Controller):
    path = "/api/v1/class-sessions"
    tags = ["报名与学时"]
    guards = [roles(*READERS)]

    @put("/{session_id:int}", summary="更正一次课（须填原因；原记录保留在历史中）",
         guards=[roles(*STAFF)])
    async def correct(self, request: Request, session_id: FromPath[int],
                      data: JSONBody[sc.ClassSessionCorrectIn]) -> sc.ClassSessionRevisionOut:
        change = hours.SessionInput(data.held_on, data.starts_at, data.ends_at, data.kind,
                                    data.hours, data.topic)
        actor = actor_of(request)
        await hours_changes.correct_session(
            session_id, change, None if data.present is None else set(data.present),
            data.reason, actor)
        return sc.ClassSessionRevisionOut.model_validate(
            (await hours_changes.history(session_id, actor))[-1])

    @post("/{session_id:int}/void", summary="作废一次课（须填原因；记录保留，不再计学时）",
          guards=[roles(*STAFF)], status_code=200)
    async def void(self, request: Request, session_id: FromPath[int],
                   data: JSONBody[sc.ReasonIn]) -> sc.ClassSessionRevisionOut:
        actor = actor_of(request)
        await hours_changes.void_session(session_id, data.reason, actor)
        return sc.ClassSessionRevisionOut.model_validate(
            (await hours_changes.history(session_id, actor))[-1])

    @get("/{session_id:int}/history", summary="一次课的全部版本（录入、更正、作废）")
    async def history(self, request: Request,
                      session_id: FromPath[int]) -> list[sc.ClassSessionRevisionOut]:
        rows = await hours_changes.history(session_id, actor_of(request))
        return [sc.ClassSessionRevisionOut.model_validate(r) for r in rows]
