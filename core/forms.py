"""The one way page forms are read: values parsed with Chinese messages that name the field, and
``FormReader``, which reads a whole form and reports every field at fault at once (FieldErrors),
so the page shows each message beside its field.

    reader = FormReader(data)
    name = reader.text("name", "姓名", required=True, max_length=50)
    fee = reader.yuan("fee_yuan", "费用", required=False)
    starts = reader.date("starts_on", "开始日期", required=True)
    reader.done()          # raises FieldErrors({"name": "请填写姓名", "starts_on": …}) if any
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticError

from core.errors import FieldErrors, ValidationError
from core.http_errors import chinese_validation_message

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
YUAN_RE = re.compile(r"^\d{1,9}(\.\d{1,2})?$")

# Limits every number and date read from a request must keep: ids and counts
# fit the 64-bit database integers; an amount is at most 10^10 fen (一亿元); dates lie within
# 1900-01-01 … 2099-12-31 (the rules' own limits, such as as_of ≥ 2019-10-08, apply on top).
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
MAX_FEN = 10_000_000_000
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2099, 12, 31)

# Shared API field types: OpenAPI states the bounds (minimum/maximum) and Pydantic enforces them.
Fen = Annotated[int, Field(ge=0, le=MAX_FEN, description="金额（分），不超过 10^10")]
BoundedDate = Annotated[date, Field(ge=DATE_MIN, le=DATE_MAX)]


def check_date_range(day: date, field: str) -> date:
    """``day`` when within DATE_MIN … DATE_MAX, else ValidationError naming ``field``."""
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError("日期应在 1900-01-01 至 2099-12-31 之间", field)
    return day


def parse_int(value: Any, field: str, label: str, *, required: bool = True,
              minimum: int = INT_MIN, maximum: int = INT_MAX) -> int | None:
    """A whole number typed in a form; None when empty and not required. Non-numeric text
    and numbers outside ``minimum`` … ``maximum`` raise ValidationError naming ``field``."""
    text = str(value if value is not None else "").strip()
    if not text:
        if required:
            raise ValidationError(f"请填写{label}", field)
        return None
    try:
        number = int(text)
    except ValueError:
        raise ValidationError(f"{label}应为整数", field) from None
    if not minimum <= number <= maximum:
        raise ValidationError(f"{label}应在 {minimum} 到 {maximum} 之间", field)
    return number


def parse_decimal(value: Any, field: str, label: str) -> Decimal | None:
    """A finite decimal number typed in a form, None when empty; 'inf', 'NaN' and text that is
    not a number raise ValidationError naming ``field``."""
    text = str(value if value is not None else "").replace(",", "").replace("，", "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{label}应为数字", field) from None
    if not number.is_finite():
        raise ValidationError(f"{label}应为有限的数字", field)
    return number


def parse_date(value: Any, field: str, required: bool = False) -> date | None:
    """A YYYY-MM-DD value, None when empty (or an error when required)."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise ValidationError("请填写日期", field)
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError("日期格式应为 YYYY-MM-DD", field) from None
    return check_date_range(day, field)


def parse_yuan(value: Any, field: str, label: str = "金额", *,
               required: bool = True) -> int | None:
    """Yuan as typed ('2510', '2,510.5', '2510.00') -> fen (integer). The one meaning of an
    amount in every form: not negative, at most two decimals (分), at most MAX_FEN fen (一亿元);
    None when empty and not required. Raises ValidationError naming ``field``."""
    text = str(value if value is not None else "").replace(",", "").replace("，", "").strip()
    if not text:
        if required:
            raise ValidationError(f"请填写{label}（元）", field)
        return None
    if text.startswith("-"):
        raise ValidationError(f"{label}不能为负数", field)
    if not YUAN_RE.match(text):
        raise ValidationError(f"{label}应为金额（元），最多两位小数，如 2510.00", field)
    fen = int(Decimal(text) * 100)
    if fen > MAX_FEN:
        raise ValidationError(f"{label}不能超过 1 亿元", field)
    return fen


def form_model(model: type[M], data: Mapping[str, Any], labels: Mapping[str, str] | None = None,
               **values: Any) -> M:
    """Build ``model`` from a form (``data``, overridden by ``values``); every field pydantic
    refuses is reported at once as FieldErrors ({field: "<label>：<reason>"})."""
    try:
        return model(**{**dict(data), **values})
    except PydanticError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error.get("loc") else "__all__"
            label = (labels or {}).get(field, "")
            reason = chinese_validation_message(str(error.get("msg", "")))
            errors.setdefault(field, f"{label}{'：' if label else ''}{reason}")
        raise FieldErrors(errors) from None


class FormReader:
    """Reads one submitted form field by field and keeps every error instead of stopping at the
    first; ``done()`` raises FieldErrors with all of them (form order). Each reader method
    returns the parsed value, or None when the field is empty or at fault."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    def raw(self, field: str) -> str:
        value = self.data.get(field)
        return "" if value is None else str(value)

    def run(self, field: str, parse: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Call any parser that raises ValidationError; its error is kept under its field."""
        try:
            return parse(*args, **kwargs)
        except FieldErrors as exc:
            for name, message in exc.errors.items():
                self.errors.setdefault(name, message)
        except ValidationError as exc:
            self.errors.setdefault(exc.field or field, exc.message)
        return None

    def fail(self, field: str, message: str) -> None:
        """Record a rule that involves several fields (e.g. an end before its start)."""
        self.errors.setdefault(field, message)

    def text(self, field: str, label: str, *, required: bool = False,
             max_length: int = 200) -> str:
        value = self.raw(field).strip()
        if not value and required:
            self.fail(field, f"请填写{label}")
        elif len(value) > max_length:
            self.fail(field, f"{label}最多 {max_length} 个字符")
        return value

    def int(self, field: str, label: str, *, required: bool = True, minimum: int = INT_MIN,
            maximum: int = INT_MAX) -> int | None:
        return self.run(field, parse_int, self.data.get(field), field, label, required=required,
                        minimum=minimum, maximum=maximum)

    def decimal(self, field: str, label: str, *, required: bool = False,
                minimum: Decimal | None = None, maximum: Decimal | None = None) -> Decimal | None:
        number = self.run(field, parse_decimal, self.data.get(field), field, label)
        if number is None:
            if required and field not in self.errors:
                self.fail(field, f"请填写{label}")
            return None
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            self.fail(field, f"{label}应在 {minimum} 到 {maximum} 之间")
            return None
        return number

    def yuan(self, field: str, label: str = "金额", *, required: bool = True) -> int | None:
        return self.run(field, parse_yuan, self.data.get(field), field, label, required=required)

    def date(self, field: str, label: str = "日期", *, required: bool = False) -> date | None:
        day = self.run(field, parse_date, self.data.get(field), field, False)
        if day is None and required and field not in self.errors:
            self.fail(field, f"请填写{label}")
        return day

    def choice(self, field: str, label: str, options: Iterable[str], *,
               required: bool = True) -> str | None:
        value = self.raw(field).strip()
        if not value:
            if required:
                self.fail(field, f"请选择{label}")
            return None
        if value not in set(options):
            self.fail(field, f"{label}取值无效")
            return None
        return value

    def done(self) -> None:
        """Raise FieldErrors with every error found, if any."""
        if self.errors:
            raise FieldErrors(self.errors)
