"""The compliance snapshot: a facility's staff side on one day, parsed and validated.

``Snapshot.from_dict`` accepts the JSON shape of the compliance engine contract
(docs: docs/domain.md, "Compliance engine contract") and raises
``core.errors.ValidationError`` with a Chinese message naming the field path
(``staff[2].credentials[0].level: 育婴员只有三级至五级``). Unknown extra keys are ignored.
Class types, positions, education levels and credential codes come from the rules version in
force on ``as_of``; the other enumerations are the snapshot format itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from employers.compliance import fields as f
from employers.compliance.rules import RuleBook, RuleSet, load_rule_book

EMPLOYMENTS = ("full_time", "part_time")
BACKGROUND_CHECKS = ("clear", "flagged", "missing")
CREDENTIAL_STATUSES = ("valid", "suspended", "revoked", "expired", "superseded")
# Optional ``credentials_withheld`` of a staff member: why the snapshot holds none of their
# credentials, with the reason the rules report for them (PIPL 第十五条: the person withdrew the
# consent, so the employer may no longer see them).
WITHHELD_REASONS = {"consent_withdrawn": "本人已撤回授权"}


@dataclass(frozen=True)
class Credential:
    code: str
    status: str
    issued_on: date
    expires_on: date | None = None
    level: int | None = None
    number: str | None = None

    def counts_on(self, day: date) -> bool:
        """Valid status, already issued, and not past its expiry (the expiry day still counts)."""
        return (
            self.status == "valid"
            and self.issued_on <= day
            and (self.expires_on is None or day <= self.expires_on)
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code}
        if self.level is not None:
            data["level"] = self.level
        data |= {
            "number": self.number,
            "status": self.status,
            "issued_on": self.issued_on.isoformat(),
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
        }
        return data


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    positions: tuple[str, ...]
    employment: str
    education: str
    management_years: int
    health_check_on: date | None
    background_check: str
    credentials: tuple[Credential, ...] = ()
    credentials_withheld: str | None = None  # a WITHHELD_REASONS key

    def holds(self, position: str) -> bool:
        return position in self.positions

    @property
    def withheld_reason(self) -> str | None:
        """'本人已撤回授权' when the credentials are withheld, else None."""
        return WITHHELD_REASONS.get(self.credentials_withheld or "")

    @property
    def label(self) -> str:
        """How the engine's messages name the member: ``名字（s12）`` with the contract's id (the
        CLI and the API keep it); pages, PDFs and exports show :func:`display_names` instead."""
        return f"{self.name}（{self.id}）"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "positions": list(self.positions),
            "employment": self.employment,
            "education": self.education,
            "management_years": self.management_years,
            "health_check_on": self.health_check_on.isoformat() if self.health_check_on else None,
            "background_check": self.background_check,
            "credentials": [c.to_dict() for c in self.credentials],
        } | ({"credentials_withheld": self.credentials_withheld}
             if self.credentials_withheld else {})


@dataclass(frozen=True)
class ClassGroup:
    code: str
    type: str
    children: int
    caregivers: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "type": self.type,
            "children": self.children,
            "caregivers": list(self.caregivers),
        }


@dataclass(frozen=True)
class Facility:
    name: str
    uscc: str


@dataclass(frozen=True)
class Snapshot:
    as_of: date
    facility: Facility
    classes: tuple[ClassGroup, ...] = ()
    staff: tuple[StaffMember, ...] = ()

    @property
    def total_children(self) -> int:
        return sum(c.children for c in self.classes)

    @classmethod
    def from_dict(cls, data: Any, rule_book: RuleBook | None = None) -> Snapshot:
        """Validate the contract's JSON shape; raises ValidationError naming the field."""
        return parse_snapshot(data, rule_book)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "facility": {"name": self.facility.name, "uscc": self.facility.uscc},
            "classes": [c.to_dict() for c in self.classes],
            "staff": [s.to_dict() for s in self.staff],
        }


def parse_snapshot(data: Any, rule_book: RuleBook | None = None) -> Snapshot:
    root = f.obj(data, "snapshot")
    as_of = f.day(f.key(root, "as_of", ""), "as_of")
    rules = (rule_book or load_rule_book()).in_force(as_of)
    facility = _facility(f.key(root, "facility", ""), "facility")
    staff_raw = f.array(f.key(root, "staff", ""), "staff")
    staff = tuple(_staff(item, f"staff[{i}]", rules) for i, item in enumerate(staff_raw))
    _unique_ids(staff)
    classes_raw = f.array(f.key(root, "classes", ""), "classes")
    classes = tuple(_class(item, f"classes[{i}]", rules) for i, item in enumerate(classes_raw))
    _check_assignments(classes, staff)
    return Snapshot(as_of, facility, classes, staff)


def _facility(value: Any, path: str) -> Facility:
    raw = f.obj(value, path)
    return Facility(name=f.text(f.key(raw, "name", path), f"{path}.name"), uscc=f.uscc(raw, path))


def _staff(value: Any, path: str, rules: RuleSet) -> StaffMember:
    raw = f.obj(value, path)
    positions = f.array(f.key(raw, "positions", path), f"{path}.positions")
    if not positions:
        raise f.invalid(f"{path}.positions", "至少需要一个岗位")
    seen: list[str] = []
    for i, position in enumerate(positions):
        p = f.choice(position, f"{path}.positions[{i}]", tuple(rules.positions))
        if p in seen:
            raise f.invalid(f"{path}.positions[{i}]", f"岗位 {p} 重复")
        seen.append(p)
    health_check = f.key(raw, "health_check_on", path)
    credentials = f.array(f.key(raw, "credentials", path), f"{path}.credentials")
    withheld = raw.get("credentials_withheld")
    if withheld is not None:
        withheld = f.choice(withheld, f"{path}.credentials_withheld", tuple(WITHHELD_REASONS))
        if credentials:
            raise f.invalid(f"{path}.credentials", "证书记录已撤回授权时不应列出证书")
    return StaffMember(
        id=f.text(f.key(raw, "id", path), f"{path}.id"),
        name=f.text(f.key(raw, "name", path), f"{path}.name"),
        positions=tuple(seen),
        employment=f.choice(f.key(raw, "employment", path), f"{path}.employment", EMPLOYMENTS),
        education=f.choice(
            f.key(raw, "education", path), f"{path}.education", rules.education_order
        ),
        management_years=f.count(f.key(raw, "management_years", path), f"{path}.management_years"),
        health_check_on=None
        if health_check is None
        else f.day(health_check, f"{path}.health_check_on"),
        background_check=f.choice(
            f.key(raw, "background_check", path), f"{path}.background_check", BACKGROUND_CHECKS
        ),
        credentials=tuple(
            _credential(c, f"{path}.credentials[{i}]", rules) for i, c in enumerate(credentials)
        ),
        credentials_withheld=withheld,
    )


def _credential(value: Any, path: str, rules: RuleSet) -> Credential:
    raw = f.obj(value, path)
    code = f.choice(f.key(raw, "code", path), f"{path}.code", tuple(rules.credentials))
    kind = rules.credentials[code]
    level = raw.get("level")
    if kind.is_skill_certificate:
        if level is None:
            raise f.invalid(f"{path}.level", f"{kind.name}须注明等级（{kind.levels_text()}）")
        if not f.is_int(level) or level not in kind.levels:
            raise f.invalid(f"{path}.level", f"{kind.occupation}只有{kind.levels_text()}")
    elif level is not None:
        raise f.invalid(f"{path}.level", f"{kind.name}不设等级，不应填写 level")
    number = raw.get("number")
    if number is not None and not isinstance(number, str):
        raise f.invalid(f"{path}.number", "证书编号应为字符串")
    issued_on = f.day(f.key(raw, "issued_on", path), f"{path}.issued_on")
    expires_raw = f.key(raw, "expires_on", path)
    expires_on = None if expires_raw is None else f.day(expires_raw, f"{path}.expires_on")
    if expires_on is not None and expires_on < issued_on:
        raise f.invalid(
            f"{path}.expires_on",
            f"到期日期 {expires_on.isoformat()} 早于发证日期 {issued_on.isoformat()}",
        )
    return Credential(
        code=code,
        status=f.choice(f.key(raw, "status", path), f"{path}.status", CREDENTIAL_STATUSES),
        issued_on=issued_on,
        expires_on=expires_on,
        level=level,
        number=number,
    )


def _class(value: Any, path: str, rules: RuleSet) -> ClassGroup:
    raw = f.obj(value, path)
    caregivers = f.array(f.key(raw, "caregivers", path), f"{path}.caregivers")
    return ClassGroup(
        code=f.text(f.key(raw, "code", path), f"{path}.code"),
        type=f.choice(f.key(raw, "type", path), f"{path}.type", tuple(rules.class_types)),
        children=f.count(f.key(raw, "children", path), f"{path}.children"),
        caregivers=tuple(f.text(c, f"{path}.caregivers[{i}]") for i, c in enumerate(caregivers)),
    )


def _unique_ids(staff: tuple[StaffMember, ...]) -> None:
    seen: set[str] = set()
    for i, member in enumerate(staff):
        if member.id in seen:
            raise f.invalid(f"staff[{i}].id", f"工作人员编号 {member.id} 重复")
        seen.add(member.id)


def _check_assignments(classes: tuple[ClassGroup, ...], staff: tuple[StaffMember, ...]) -> None:
    by_id = {s.id: s for s in staff}
    codes: set[str] = set()
    assigned: dict[str, str] = {}
    for i, group in enumerate(classes):
        if group.code in codes:
            raise f.invalid(f"classes[{i}].code", f"班级编号 {group.code} 重复")
        codes.add(group.code)
        for j, staff_id in enumerate(group.caregivers):
            path = f"classes[{i}].caregivers[{j}]"
            member = by_id.get(staff_id)
            if member is None:
                raise f.invalid(path, f"{staff_id} 不在工作人员名单（staff）中")
            if not member.holds("caregiver"):
                raise f.invalid(path, f"{member.label} 未担任保育人员（caregiver）岗位")
            if staff_id in group.caregivers[:j]:
                raise f.invalid(path, f"{member.label} 在班级 {group.code} 中重复列出")
            if staff_id in assigned:
                raise f.invalid(
                    path,
                    f"{member.label} 已分配到班级 {assigned[staff_id]}，"
                    "一名保育人员最多分配到一个班级",
                )
            assigned[staff_id] = group.code


# A staff member's id as StaffMember.label writes it after the name: ``（s12）``.
STAFF_ID_MARK = re.compile(r"（s\d+）")


def display_names(staff: Iterable[Mapping[str, Any]],
                  position_names: Mapping[str, str] | None = None) -> dict[str, str]:
    """How people read each staff member of a snapshot's ``staff`` list (dicts with ``id``,
    ``name``, ``positions``): ``{id: text}``. The name alone when no one else in the list has it;
    namesakes get their positions' names (``曹琳（保育人员）``) and, when those are the same too,
    their order among the namesakes (``曹琳（保育人员，第2位）``). Never the internal id.
    ``position_names``: position code → name (default: the rules in force today)."""
    members = list(staff)
    if position_names is None:
        book = load_rule_book()
        position_names = {code: p.name for version in book.versions
                          for code, p in version.positions.items()}
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for member in members:
        by_name.setdefault(str(member.get("name") or ""), []).append(member)
    out: dict[str, str] = {}
    for name, same in by_name.items():
        if len(same) == 1:
            out[str(same[0]["id"])] = name
            continue
        described = {str(m["id"]): "、".join(position_names.get(p, p)
                                             for p in m.get("positions") or ()) or "工作人员"
                     for m in same}
        seen: dict[str, int] = {}
        for member in same:
            what = described[str(member["id"])]
            if list(described.values()).count(what) > 1:
                seen[what] = seen.get(what, 0) + 1
                what = f"{what}，第{seen[what]}位"
            out[str(member["id"])] = f"{name}（{what}）"
    return out


def display_text(text: str, staff: Iterable[Mapping[str, Any]] | None = None,
                 names: Mapping[str, str] | None = None) -> str:
    """``text`` of the engine (a rule message) with every ``名字（id）`` written as people read
    it: by ``names`` (:func:`display_names` of ``staff``) when the member is known, else the
    name alone (a stored report without its snapshot)."""
    members = list(staff or ())
    if names is None:
        names = display_names(members) if members else {}
    for member in members:
        mark = f"{member.get('name')}（{member.get('id')}）"
        if mark in text:
            text = text.replace(mark, names.get(str(member["id"]), str(member.get("name"))))
    return STAFF_ID_MARK.sub("", text)


def display_report(report: Mapping[str, Any],
                   snapshot: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A copy of an engine report (evaluate_dict's shape) for pages, PDFs and exports: each rule's
    ``message`` names staff by :func:`display_names` of the snapshot's staff instead of the
    internal id; codes, statuses and ``subjects`` (ids) unchanged. Without the snapshot the id
    markers are dropped and the names stay. The engine's own output is not changed."""
    staff = list((snapshot or {}).get("staff") or ())
    names = display_names(staff) if staff else {}
    rules = [dict(rule) | ({"message": display_text(rule["message"], staff, names)}
                           if isinstance(rule.get("message"), str) else {})
             for rule in report.get("rules") or ()]
    return dict(report) | {"rules": rules}
