"""Domain errors: a Chinese message for the user and, where one is at fault, the field.

Services and pure rules raise these; one exception handler in ``core.app`` maps them to
HTTP statuses for the API and to form errors for pages.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"message": self.message, "field": self.field}


class ValidationError(DomainError):
    """Input is malformed or breaks a rule (422)."""

    status_code = 422


class FieldErrors(ValidationError):
    """Several fields at fault at once (422). ``errors`` maps each field to its Chinese message
    in form order; ``field`` and ``message`` are the first, so one-field handlers still work.
    The API answers them all in ``errors`` ([{field, message}], like a schema error)."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field)
        self.errors = dict(errors)


class BadRequest(DomainError):
    status_code = 400


class NotFound(DomainError):
    """Absent, or belonging to another organisation: both answer the same 404."""

    status_code = 404

    def __init__(self, message: str = "未找到该记录", field: str | None = None) -> None:
        super().__init__(message, field)


class Forbidden(DomainError):
    status_code = 403

    def __init__(self, message: str = "无权执行此操作", field: str | None = None) -> None:
        super().__init__(message, field)


class Conflict(DomainError):
    """The state of the record does not allow the action (409)."""

    status_code = 409
