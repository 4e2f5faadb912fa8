"""Training providers (培训机构): created, approved and suspended by hrss officers, with the
qualifications each may train and — for assessment bodies (评价机构) — examine."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from core import audit
from core.actor import Actor
from core.clock import now
from core.db import contains, transaction
from core.errors import Conflict, Forbidden, NotFound, ValidationError
from core.identity import fold_code, normalise_mobile, normalise_uscc
from core.pagination import Page
from core.tables import Qualification, QualificationLevel
from training import states as s
from training.services.common import Row, check_provider_access, is_officer
from training.tables import Provider, ProviderScope

BODY_TYPES = {"Y": "用人单位", "S": "社会培训评价组织"}


@dataclass(frozen=True)
class ScopeInput:
    qualification_code: str
    level: int | None
    scope: str  # train | examine


@dataclass
class ProviderInput:
    name: str
    uscc: str
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    is_assessment_body: bool = False
    body_type: str | None = None
    body_code: str | None = None
    site_serial: str | None = None
    province_code: str = "12"
    scopes: list[ScopeInput] = field(default_factory=list)


async def _check_scopes(scopes: list[ScopeInput], assessment: bool) -> list[ScopeInput]:
    checked: list[ScopeInput] = []
    for item in scopes:
        if item.scope not in (s.SCOPE_TRAIN, s.SCOPE_EXAMINE):
            raise ValidationError("范围只能是培训或评价", "scopes")
        qual = await Qualification.objects().where(
            Qualification.code == item.qualification_code).first()
        if qual is None or qual.kind == "external":
            raise ValidationError("职业（工种）或培训项目不在目录中", "scopes")
        if qual.kind == "skill":
            ok = item.level is not None and await QualificationLevel.exists().where(
                (QualificationLevel.qualification == qual.id)
                & (QualificationLevel.level == item.level))
            if not ok:
                raise ValidationError(f"{qual.name}不设该等级", "scopes")
        elif item.scope == s.SCOPE_EXAMINE:
            raise ValidationError("培训项目不能作为评价范围", "scopes")
        else:
            item = ScopeInput(item.qualification_code, None, item.scope)
        if item.scope == s.SCOPE_EXAMINE and not assessment:
            raise ValidationError("未备案为评价机构，不能设置评价范围", "scopes")
        if item not in checked:
            checked.append(item)
    return checked


def _check(data: ProviderInput) -> ProviderInput:
    name = (data.name or "").strip()
    if not name:
        raise ValidationError("请填写机构名称", "name")
    if len(name) > 100:
        raise ValidationError("机构名称最多 100 个字", "name")
    data.name = name
    data.uscc = normalise_uscc(data.uscc, "uscc")
    data.contact_phone = normalise_mobile(data.contact_phone, "contact_phone") \
        if data.contact_phone else ""
    if data.is_assessment_body:
        if data.body_type not in BODY_TYPES:
            raise ValidationError("评价机构类型应为 Y（用人单位）或 S（社会培训评价组织）",
                                  "body_type")
        data.body_code = fold_code(data.body_code, "评价机构代码", "body_code")
        data.site_serial = fold_code(data.site_serial, "评价站点序号", "site_serial")
        data.province_code = fold_code(data.province_code, "省份代码", "province_code")
        if not re.fullmatch(r"[0-9]{4}", data.body_code):
            raise ValidationError("评价机构代码应为 4 位数字", "body_code")
        if not re.fullmatch(r"[0-9]{6}", data.site_serial):
            raise ValidationError("评价站点序号应为 6 位数字", "site_serial")
        if not re.fullmatch(r"[0-9]{2}", data.province_code):
            raise ValidationError("省份代码应为 2 位数字", "province_code")
    else:
        data.body_type = data.body_code = data.site_serial = None
    return data


def _snapshot(row: Provider) -> dict[str, Any]:
    return {"name": row.name, "uscc": row.uscc, "status": row.status,
            "is_assessment_body": row.is_assessment_body, "body_type": row.body_type,
            "body_code": row.body_code, "site_serial": row.site_serial}


def _require_officer(actor: Actor) -> None:
    if not is_officer(actor):
        raise Forbidden("仅人社局工作人员可以管理培训机构")


async def create_provider(data: ProviderInput, actor: Actor) -> int:
    _require_officer(actor)
    data = _check(data)
    scopes = await _check_scopes(data.scopes, data.is_assessment_body)
    async with transaction():
        if await Provider.exists().where(Provider.uscc == data.uscc):
            raise Conflict("该统一社会信用代码的机构已存在", "uscc")
        at = now()
        row = Provider(
            name=data.name, uscc=data.uscc, address=data.address.strip(),
            contact_name=data.contact_name.strip(), contact_phone=data.contact_phone,
            status=s.PROVIDER_PENDING, is_assessment_body=data.is_assessment_body,
            body_type=data.body_type, body_code=data.body_code, site_serial=data.site_serial,
            province_code=data.province_code or "12", created_at=at, updated_at=at)
        await row.save()
        await _write_scopes(row.id, scopes)
        await audit.record(actor, "provider.create", "provider", row.id, after={
            **_snapshot(row), "scopes": [sc.__dict__ for sc in scopes]})
    return row.id


async def _write_scopes(provider_id: int, scopes: list[ScopeInput]) -> None:
    await ProviderScope.delete().where(ProviderScope.provider == provider_id)
    if scopes:
        await ProviderScope.insert(*[
            ProviderScope(provider=provider_id, qualification_code=sc.qualification_code,
                          level=sc.level, scope=sc.scope) for sc in scopes])


async def update_provider(provider_id: int, data: ProviderInput, actor: Actor) -> None:
    _require_officer(actor)
    data = _check(data)
    scopes = await _check_scopes(data.scopes, data.is_assessment_body)
    async with transaction():
        row = await get_provider(provider_id, actor)
        if await Provider.exists().where((Provider.uscc == data.uscc)
                                         & (Provider.id != provider_id)):
            raise Conflict("该统一社会信用代码的机构已存在", "uscc")
        before = _snapshot(row)
        for key in ("name", "uscc", "address", "contact_name", "contact_phone",
                    "is_assessment_body", "body_type", "body_code", "site_serial",
                    "province_code"):
            setattr(row, key, getattr(data, key))
        row.updated_at = now()
        await row.save()
        await _write_scopes(row.id, scopes)
        await audit.record(actor, "provider.update", "provider", row.id, before=before,
                           after={**_snapshot(row), "scopes": [sc.__dict__ for sc in scopes]})


async def set_status(provider_id: int, status: str, reason: str, actor: Actor) -> None:
    """approve (pending/suspended → approved) or suspend (approved → suspended, reason)."""
    _require_officer(actor)
    reason = (reason or "").strip()
    if status not in (s.PROVIDER_APPROVED, s.PROVIDER_SUSPENDED):
        raise ValidationError("状态取值无效", "status")
    if status == s.PROVIDER_SUSPENDED and not reason:
        raise ValidationError("请填写暂停原因", "reason")
    async with transaction():
        row = await get_provider(provider_id, actor)
        if row.status == status:
            raise Conflict(f"该机构已是“{s.PROVIDER_STATUS_LABELS[status]}”状态")
        before = row.status
        row.status, row.status_reason, row.updated_at = status, reason, now()
        await row.save()
        await audit.record(actor, f"provider.{'approve' if status == 'approved' else 'suspend'}",
                           "provider", row.id, before={"status": before},
                           after={"status": status}, note=reason)


async def provider_exists(provider_id: int) -> bool:
    """Whether a training provider with this id is registered (checks a staff user's
    organisation number when an admin creates the user or changes its role)."""
    return await Provider.exists().where(Provider.id == provider_id)


async def get_provider(provider_id: int, actor: Actor) -> Provider:
    check_provider_access(actor, provider_id, "未找到该培训机构")
    row = await Provider.objects().where(Provider.id == provider_id).first()
    if row is None:
        raise NotFound("未找到该培训机构")
    return row


@dataclass(frozen=True)
class ScopeView:
    """One line of a provider's scope: a qualification (and level for skills) it may
    ``train`` or ``examine``."""

    qualification_code: str
    level: int | None
    scope: str

    @property
    def choice(self) -> str:
        """The value a form chooses it by: ``CODE:level`` for a skill level, ``CODE`` for a
        training item (no level)."""
        if self.level is None:
            return self.qualification_code
        return f"{self.qualification_code}:{self.level}"


async def scopes_of(provider_id: int, scope: str | None = None) -> list[ScopeView]:
    """A provider's scopes (only those of ``scope``, train or examine, when given): by scope,
    qualification, then the highest level number first."""
    where = ProviderScope.provider == provider_id
    if scope is not None:
        where &= ProviderScope.scope == scope
    return [ScopeView(r["qualification_code"], r["level"], r["scope"])
            for r in await ProviderScope.select(
                ProviderScope.qualification_code, ProviderScope.level, ProviderScope.scope,
            ).where(where).order_by(ProviderScope.scope).order_by(
                ProviderScope.qualification_code).order_by(ProviderScope.level, ascending=False)]


class ProviderView(Row):
    """A provider with its scopes, as the pages and the API (training.schemas.ProviderOut)
    show it."""

    id: int
    name: str
    uscc: str
    address: str
    contact_name: str
    status: str
    status_reason: str
    is_assessment_body: bool
    body_type: str | None
    body_code: str | None
    site_serial: str | None
    province_code: str
    scopes: tuple[ScopeView, ...]


async def _scopes_by_provider(ids: list[int]) -> dict[int, list[ScopeView]]:
    """Scopes of several providers in one query, each provider's in the order of scopes_of."""
    out: dict[int, list[ScopeView]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = await ProviderScope.select().where(ProviderScope.provider.is_in(ids)).order_by(
        ProviderScope.scope).order_by(ProviderScope.qualification_code).order_by(
        ProviderScope.level, ascending=False)
    for r in rows:
        out[r["provider"]].append(ScopeView(r["qualification_code"], r["level"], r["scope"]))
    return out


def _view(row: dict[str, Any], scopes: list[ScopeView]) -> ProviderView:
    return ProviderView(
        id=row["id"], name=row["name"], uscc=row["uscc"], address=row["address"],
        contact_name=row["contact_name"], status=row["status"],
        status_reason=row["status_reason"], is_assessment_body=row["is_assessment_body"],
        body_type=row["body_type"], body_code=row["body_code"], site_serial=row["site_serial"],
        province_code=row["province_code"], scopes=tuple(scopes))


async def provider_view(provider_id: int, actor: Actor) -> ProviderView:
    """One provider with its scopes (NotFound, or Forbidden for another provider's staff)."""
    row = await get_provider(provider_id, actor)
    scopes = await _scopes_by_provider([row.id])
    return _view(row.to_dict(), scopes[row.id])


async def may(provider_id: int, scope: str, qualification_code: str, level: int | None) -> bool:
    where = ((ProviderScope.provider == provider_id) & (ProviderScope.scope == scope)
             & (ProviderScope.qualification_code == qualification_code))
    where &= (ProviderScope.level == level) if level is not None \
        else ProviderScope.level.is_null()
    return await ProviderScope.exists().where(where)


async def require_approved(provider_id: int) -> Provider:
    row = await Provider.objects().where(Provider.id == provider_id).first()
    if row is None:
        raise NotFound("未找到该培训机构")
    if row.status != s.PROVIDER_APPROVED:
        raise Conflict("培训机构尚未批准或已被暂停，不能办理此业务")
    return row


async def search(q: str, status: str, page: int, per_page: int = 20) -> Page[ProviderView]:
    """Providers by name (contains) or exact USCC and status, newest first, each with its
    scopes: three queries whatever the page size (count, page, scopes of the page)."""
    where = []
    if q:
        where.append(contains(Provider.name, q) | (Provider.uscc == q.upper()))
    if status:
        where.append(Provider.status == status)
    count = Provider.count()
    rows = Provider.select().order_by(Provider.id, ascending=False)
    for w in where:
        count, rows = count.where(w), rows.where(w)
    result: Page[ProviderView] = Page([], page, per_page, await count,
                                      query={"q": q, "status": status})
    found = await rows.limit(per_page).offset(result.offset)
    scopes = await _scopes_by_provider([r["id"] for r in found])
    result.items = [_view(r, scopes[r["id"]]) for r in found]
    return result


async def names() -> dict[int, str]:
    return {r["id"]: r["name"] for r in await Provider.select(Provider.id, Provider.name)}
