"""Irreversible page actions ask first, and the server holds them to it.

A page form for such an action (revoke or suspend a certificate, approve a session and issue its
certificates, accept a filing, end a staff link) carries a concrete question (names, numbers,
counts) in its button's ``data-confirm`` and a hidden ``confirm`` field
(``forms.confirm_field()``). With JavaScript, static/js/app.js asks the question and, on yes,
sets the field to ``1``. Without it, or when the field is missing, the controller answers with
:func:`ask`: a page that asks the same question and posts the same fields again with
``confirm=1``. The JSON API is not concerned: only the page forms require the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from litestar import Request
from litestar.response import Template

from core.web import page

FIELD = "confirm"


def confirmed(form: Mapping[str, Any]) -> bool:
    """True when the posted form says the user answered yes (``confirm=1``)."""
    return str(form.get(FIELD, "")).strip() == "1"


def ask(
    request: Request,
    *,
    question: str,
    action: str,
    form: Mapping[str, Any],
    label: str,
    back: str,
    title: str = "请确认",
    details: Iterable[tuple[str, str]] = (),
    kind: str = "danger",
    multipart: bool = False,
) -> Template:
    """The confirmation step as a page (200): ``question`` (what will happen, with names and
    counts), optional ``details`` (label, value) such as the reason typed, a button ``label``
    that posts ``form``'s text fields again to ``action`` with ``confirm=1``, and a way ``back``
    (a URL) that changes nothing. ``multipart``: post as multipart/form-data (handlers reading
    a MultipartBody)."""
    fields = [(k, str(v)) for k, v in form.items()
              if k not in (FIELD, "_csrf_token") and isinstance(v, str | int)]
    return page(request, "confirm.html", page_title=title, title=title, question=question,
                action=action, fields=fields, label=label, back=back,
                details=[(k, v) for k, v in details if v], kind=kind, multipart=multipart)
