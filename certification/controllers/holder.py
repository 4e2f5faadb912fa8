"""The holder's page (trainee, phone-first): certificates with status history, PDF and
credential downloads, the share section (QR code and the verification link, with a copy button),
and the photo printed on skill certificates."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import MultipartBody
from litestar.response import Redirect, Template

from certification.controllers.downloads import certificate_out
from certification.qr import qr_data_uri
from certification.schemas import CertificateOut
from certification.services.certificates import views_for_person
from certification.services.photos import set_photo
from certification.tables import HolderPhoto
from core import clock
from core.accounts.auth import actor_of, require_user, roles
from core.credentials import STATUS_LABELS
from core.errors import DomainError, NotFound
from core.roles import Role
from core.web import page, redirect_with

# A screen shows the code on a coloured page: the full quiet zone of 4 modules (ISO/IEC 18004).
SCREEN_QR_BORDER = 4


def _person_id(request: Request) -> int:
    user = require_user(request)
    if user.person_id is None:
        raise NotFound("账号未关联人员信息")
    return user.person_id


async def _context(person_id: int) -> dict[str, Any]:
    """The page's context; ``share_qr``: certificate id → QR code (SVG data URI) of its
    verification link, for each valid certificate (the ones worth sharing)."""
    has_photo = await HolderPhoto.exists().where(HolderPhoto.person == person_id)
    certs = await views_for_person(person_id, clock.today())
    share_qr = {c.id: qr_data_uri(c.verify_url, border=SCREEN_QR_BORDER)
                for c in certs if c.status == "valid"}
    return {"certs": certs, "share_qr": share_qr,
            "status_labels": STATUS_LABELS, "has_photo": has_photo}


class HolderPages(Controller):
    path = "/my/certificates"
    guards = [roles(Role.TRAINEE)]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request) -> Template:
        return page(request, "certification/my.html", page_title="我的证书",
                    **await _context(_person_id(request)))

    @post("/photo")
    async def photo(self, request: Request,
                    data: MultipartBody[dict[str, Any]]) -> Template | Redirect:
        person_id = _person_id(request)
        upload = data.get("photo")
        content = await upload.read() if hasattr(upload, "read") else b""
        try:
            await set_photo(person_id, content, actor_of(request),
                            getattr(upload, "filename", "") or "")
        except DomainError as error:
            return page(request, "certification/my.html", status_code=error.status_code,
                        page_title="我的证书", errors={"photo": error.message},
                        **await _context(person_id))
        return redirect_with(request, "/my/certificates/", "照片已更新，证书将重新生成")


class HolderApi(Controller):
    path = "/api/v1/me/certificates"
    guards = [roles(Role.TRAINEE)]
    tags = ["证书"]

    @get("/", summary="我的证书（含状态记录与查验链接）")
    async def mine(self, request: Request) -> list[CertificateOut]:
        return [certificate_out(v) for v in await views_for_person(_person_id(request),
                                                                    clock.today())]
