"""Public pages and endpoints: verification (page, QR target, JSON), published keys, status lists
and our JSON-LD context. No login; verification is rate-limited per client address."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import unquote_plus

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.exceptions import TooManyRequestsException
from litestar.openapi.spec import OpenAPIType, Operation, Parameter, Schema
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from litestar.serialization import encode_json

from certification.keys import published_keys
from certification.schemas import PublicCertificateOut
from certification.services.status_lists import status_list_credential
from certification.services.verification import lookup
from certification.vc.jsonld import REGISTRY_CONTEXT, bundled_context
from core import clock, ratelimit
from core.accounts.auth import client_ip
from core.errors import DomainError, NotFound, ValidationError
from core.settings import get_settings
from core.web import FormData, page

RATE_WINDOW_SECONDS = 60
RATE_MESSAGE = "查验过于频繁，请稍等一分钟后再试"
VC_MEDIA_TYPE = "application/vc+ld+json"


async def check_rate(request: Request) -> None:
    store = request.app.stores.get("rate_limit")
    limit = get_settings().verify_rate_limit_per_minute
    if not await ratelimit.allow(store, f"verify:{client_ip(request)}", limit,
                                 RATE_WINDOW_SECONDS, batched=True):
        raise TooManyRequestsException(detail=RATE_MESSAGE,
                                       headers={"Retry-After": str(RATE_WINDOW_SECONDS)})


def query_name(query_string: bytes) -> str:
    """The ``name`` parameter of a raw query string as the framework reads a ``str`` query
    parameter: urllib's parse_qsl ("&"-separated, "+" a space, percent-escapes decoded as
    UTF-8 with invalid bytes replaced, a percent-encoded key decoded too), the last one when
    repeated (Litestar binds the pairs in order, each overwriting the one before), "" when
    absent.

    The public lookup reads its one query parameter itself: the framework's parse (a cached
    parse_qsl, missed by almost every holder's name) and its parameter validation cost about
    a tenth of a cached lookup (bench/verify, callgrind)."""
    for pair in reversed(query_string.split(b"&")):
        key, _, value = pair.partition(b"=")
        if key == b"name" or ((b"%" in key or b"+" in key)
                              and unquote_plus(key.decode("latin-1")) == "name"):
            if _ALL_ESCAPED.fullmatch(value):  # how clients send a Chinese name: in C
                return bytes.fromhex(value.replace(b"%", b"").decode()).decode("utf-8", "replace")
            return unquote_plus(value.decode("latin-1"))
    return ""


_ALL_ESCAPED = re.compile(rb"(?:%[0-9A-Fa-f]{2})+")


@dataclass
class _VerifyOperation(Operation):
    """The lookup's OpenAPI operation: ``name`` is read by query_name, so it is declared here
    (as the framework would declare ``name: FromQuery[str] = ""``, with its description)."""

    def __post_init__(self) -> None:
        self.parameters = [*(self.parameters or []), Parameter(
            name="name", param_in="query", required=False, description="持证人姓名",
            schema=Schema(type=OpenAPIType.STRING, default=""),
            allow_empty_value=False, allow_reserved=False)]


_PUBLIC_FIELDS = tuple(PublicCertificateOut.model_fields)


def public_certificate_json(cert: object) -> bytes:
    """The JSON body of PublicCertificateOut for ``cert`` (its attributes read by the model's
    field names, as ``model_validate(from_attributes=True)`` does), written by the framework's
    own msgspec encoder: for the types PublicCertificate holds (no coercion is done), the bytes
    ``model_dump_json`` writes (tests compare them), for a fraction of its cost on the hottest
    endpoint."""
    return encode_json({field: getattr(cert, field) for field in _PUBLIC_FIELDS})


class PublicVerificationApi(Controller):
    path = "/api/v1/public/certificates"
    tags = ["证书查验（公开）"]

    @get("/{number:str}", summary="按证书编号和姓名查验证书",
         description="编号不存在与姓名不符返回相同的 404；按来源地址限流（429）。",
         operation_class=_VerifyOperation)
    async def verify(self, request: Request,
                     number: FromPath[str]) -> Response[PublicCertificateOut]:
        await check_rate(request)
        cert = await lookup(number, name=query_name(request.scope.get("query_string", b"")),
                            today=clock.today())
        return Response(public_certificate_json(cert), media_type=MediaType.JSON)


class VerificationPages(Controller):
    include_in_schema = False

    @get("/verify")
    async def form(self, request: Request) -> Template:
        return page(request, "certification/verify.html", page_title="证书查验")

    @post("/verify")
    async def submit(self, request: Request, data: FormData) -> Template:
        form = {"number": str(data.get("number", "")).strip(),
                "name": str(data.get("name", "")).strip()}
        errors = {}
        if not form["number"]:
            errors["number"] = "请填写证书编号"
        if not form["name"]:
            errors["name"] = "请填写持证人姓名"
        if errors:
            return page(request, "certification/verify.html", status_code=422,
                        page_title="证书查验", form=form, errors=errors)
        await check_rate(request)
        try:
            cert = await lookup(form["number"], name=form["name"], today=clock.today())
        except NotFound as error:
            return page(request, "certification/verify.html", status_code=404,
                        page_title="证书查验", form=form, not_found=error.message)
        except ValidationError as error:  # e.g. a digit of another script in the number
            return page(request, "certification/verify.html", status_code=422,
                        page_title="证书查验", form=form,
                        errors={error.field or "number": error.message})
        return page(request, "certification/verify.html", page_title="证书查验结果",
                    form=form, cert=cert)

    @get("/verify/{number:str}")
    async def by_code(self, request: Request, number: FromPath[str],
                      code: FromQuery[str] = "") -> Template:
        """The QR code's target (number + code); without a code (a shared or typed link, a new
        certificate's number) the verification form with the number filled in, asking for the
        holder's name — nothing is looked up, so it counts against no rate limit."""
        if not code.strip():
            return page(request, "certification/verify.html", page_title="证书查验",
                        form={"number": number.strip()}, ask_name=True)
        await check_rate(request)
        try:
            cert = await lookup(number, code=code, today=clock.today())
        except DomainError as error:
            return page(request, "certification/verify.html", status_code=404,
                        page_title="证书查验", form={"number": number}, not_found=error.message)
        return page(request, "certification/verify.html", page_title="证书查验结果",
                    form={"number": number}, cert=cert, by_code=True)


class PublishedDocuments(Controller):
    tags = ["可验证凭证（公开）"]

    @get("/.well-known/caregiver-registry/keys.json", summary="发证机关签名公钥清单")
    async def keys(self) -> Response[dict]:
        return Response(await published_keys(), headers={"Cache-Control": "max-age=300"})

    @get("/credentials/status/{purpose:str}/{list_id:str}", summary="状态列表凭证（撤销/暂停）")
    async def status_list(self, purpose: FromPath[str], list_id: FromPath[str]) -> Response[dict]:
        signed = await status_list_credential(purpose, list_id)
        if signed is None:
            raise NotFound("状态列表不存在")
        return Response(signed, media_type=VC_MEDIA_TYPE, headers={"Cache-Control": "no-cache"})

    @get("/ns/credentials/v1", summary="本平台的 JSON-LD 上下文")
    async def context(self) -> Response[bytes]:
        body = json.dumps(bundled_context(REGISTRY_CONTEXT), ensure_ascii=False).encode()
        return Response(body, media_type="application/ld+json",
                        headers={"Cache-Control": "max-age=86400"})
