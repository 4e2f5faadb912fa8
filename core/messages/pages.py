"""Pages of the outbox: the admins' list of messages (/admin/messages), a person's choice
about reminders (POST /me/reminder-sms, from the trainee's 我的信息 page) and a facility
operator's address for notices by e-mail (/account/notice-email). The changes and their
transactions are ``core.messages.services``."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER

from core.accounts.auth import actor_of, require_user, roles
from core.errors import NotFound, ValidationError
from core.labels import KERNEL_LABELS
from core.messages.gateways import content_visible
from core.messages.services import (
    list_messages,
    notice_email_of,
    set_notice_email,
    set_reminders,
)
from core.pagination import clamp_page
from core.roles import Role
from core.web import FormData, PageNumber, errors_of, form_page, page, redirect_with

# The outbox's states, channels and kinds as the one label table (core.labels) names them.
STATE_LABELS = dict(KERNEL_LABELS["message_state"])
STATES = tuple(STATE_LABELS.items())
CHANNEL_LABELS = dict(KERNEL_LABELS["message_channel"])
KIND_LABELS = dict(KERNEL_LABELS["message_kind"])
# What each outbox topic is, as an admin reads it: every topic the code enqueues
# (core.otp ``otp.{purpose}``, core.claims, training.services.exams, employers.notices,
# employers.labour.notices, certification.notices).
TOPIC_LABELS = {
    "otp.claim": "身份核验验证码",
    "otp.password_reset": "找回密码验证码",
    "otp.exam_on_behalf": "代为报名确认验证码",
    "exam.on_behalf": "培训机构代为报名",
    "claim.rejected": "身份核验未通过",
    "consent.requested": "机构请求授权",
    "consent.form_recorded": "机构登记签字同意书",
    "filing.accepted": "备案已受理",
    "filing.returned": "备案被退回",
    "certificate.issued": "证书已颁发",
    "certificate.suspended": "证书已暂停",
    "certificate.reinstated": "证书已恢复",
    "certificate.revoked": "证书已撤销",
    "reminder.credential": "证书到期提醒",
    "reminder.health_check": "健康检查到期提醒",
    "reminder.contract": "劳动合同到期提醒",
}
OTHER_TOPIC = "其他通知"


def topic_label(topic: str | None) -> str:
    """The Chinese label of an outbox topic (``TOPIC_LABELS``); "" for none, "其他通知" for a
    topic not listed, so no raw key reaches the page."""
    if not topic:
        return ""
    return TOPIC_LABELS.get(topic, OTHER_TOPIC)
PER_PAGE = 50


class AdminMessagesPage(Controller):
    """The outbox as admins see it: with the embedded gateways, the texts too (codes included,
    for the demo and tests); with any real gateway, status only."""

    path = "/admin/messages"
    guards = [roles(Role.ADMIN)]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request,
                    state_filter: Annotated[str, QueryParameter(name="state")] = "",
                    page_number: PageNumber = 1) -> Template:
        number, per = clamp_page(page_number, PER_PAGE)
        visible = content_visible()
        state = state_filter if state_filter in STATE_LABELS else ""
        result = await list_messages(state, number, per, with_bodies=visible)
        return page(request, "admin/messages.html", page_title="发件箱", result=result,
                    state=state, states=STATES, state_labels=STATE_LABELS,
                    channel_labels=CHANNEL_LABELS, kind_labels=KIND_LABELS,
                    topic_label=topic_label, content_visible=visible)


class ReminderChoice(Controller):
    """The trainee's own choice about reminder messages (a form on /me)."""

    include_in_schema = False

    @post("/me/reminder-sms", guards=[roles(Role.TRAINEE)], status_code=HTTP_303_SEE_OTHER)
    async def choose(self, request: Request) -> Redirect:
        user = require_user(request)
        if user.person_id is None:
            raise NotFound("账号未关联人员信息")
        form = await request.form()
        wanted = form.get("reminders") == "on"
        await set_reminders(user.person_id, wanted, actor_of(request))
        return redirect_with(request, "/me", "已开启到期提醒" if wanted else "已关闭到期提醒")


EMAIL_ROLES = (Role.FACILITY_OPERATOR,)


class NoticeEmailPage(Controller):
    """Where a facility operator's notices by e-mail go (filing returned / accepted)."""

    path = "/account/notice-email"
    guards = [roles(*EMAIL_ROLES)]
    include_in_schema = False

    @get("/")
    async def show(self, request: Request) -> Template:
        user = require_user(request)
        return page(request, "accounts/notice_email.html", page_title="通知邮箱",
                    form={"email": await notice_email_of(user.id)})

    @post("/", status_code=HTTP_200_OK)
    async def save(self, request: Request, data: FormData) -> Template | Redirect:
        user = require_user(request)
        try:
            email = await set_notice_email(user.id, str(data.get("email", "")), actor_of(request))
        except ValidationError as exc:
            return form_page(request, "accounts/notice_email.html", data,
                             errors_of(exc), page_title="通知邮箱")
        return redirect_with(request, "/account/notice-email",
                             "通知邮箱已保存" if email else "已取消邮件通知")
