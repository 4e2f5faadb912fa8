"""Certificate downloads (PDF, signed credential) for the holder, officers and entitled
operators: pages use the session, the API a bearer token; anyone else gets 404."""

from __future__ import annotations

import hashlib

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from certification.schemas import CertificateOut
from certification.services.certificates import CertificateView, pdf_of, vc_of, viewable
from core import clock
from core.accounts.auth import current_user, login_required

VC_MEDIA_TYPE = "application/vc+ld+json"


def certificate_out(view: CertificateView) -> CertificateOut:
    """The API's certificate; a replaced one names its new certificate's number and API path."""
    out = CertificateOut.model_validate(view)
    if view.superseded_by is not None:
        out.superseded_by_url = f"/api/v1/certificates/{view.superseded_by}"
    return out


async def _pdf_response(request: Request, credential_id: int) -> Response[bytes]:
    """The stored PDF while valid; otherwise a copy stamped with the state (the stored file's
    SHA-256 is sent in ``X-Original-SHA256`` either way)."""
    view = await viewable(current_user(request), credential_id, clock.today())
    pdf = await pdf_of(view)
    name = f"{view.number}-status-copy.pdf" if pdf.stamped else f"{view.number}.pdf"
    return Response(pdf.data, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "ETag": f'"{hashlib.sha256(pdf.data).hexdigest() if pdf.stamped else pdf.original_sha256}"',
        "X-Original-SHA256": pdf.original_sha256,
        "X-Stamped-Copy": "1" if pdf.stamped else "0",
        "Cache-Control": "private, no-store",
    })


async def _vc_response(request: Request, credential_id: int) -> Response[dict]:
    view = await viewable(current_user(request), credential_id, clock.today())
    return Response(await vc_of(view), media_type=VC_MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{view.number}.vc.json"',
        "Cache-Control": "private, no-store",
    })


class DownloadPages(Controller):
    path = "/certificates"
    guards = [login_required]
    include_in_schema = False

    @get("/{credential_id:int}/pdf")
    async def pdf(self, request: Request, credential_id: FromPath[int]) -> Response[bytes]:
        return await _pdf_response(request, credential_id)

    @get("/{credential_id:int}/credential.json")
    async def vc(self, request: Request, credential_id: FromPath[int]) -> Response[dict]:
        return await _vc_response(request, credential_id)


class CertificatesApi(Controller):
    path = "/api/v1/certificates"
    guards = [login_required]
    tags = ["证书"]

    @get("/{credential_id:int}", summary="证书详情（持证人、主管部门、经同意的用人机构）")
    async def one(self, request: Request, credential_id: FromPath[int]) -> CertificateOut:
        return certificate_out(await viewable(current_user(request), credential_id, clock.today()))

    @get("/{credential_id:int}/pdf",
         summary="下载证书 PDF（非有效状态的证书下载为加注状态的副本，原件不变）",
         response_description="application/pdf")
    async def pdf(self, request: Request, credential_id: FromPath[int]) -> Response[bytes]:
        return await _pdf_response(request, credential_id)

    @get("/{credential_id:int}/vc", summary="下载签名的可验证凭证（W3C VC 2.0）")
    async def vc(self, request: Request, credential_id: FromPath[int]) -> Response[dict]:
        return await _vc_response(request, credential_id)
