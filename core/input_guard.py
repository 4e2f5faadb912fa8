"""Input guards in front of every handler: out-of-range ids and deeply nested JSON.

Two kinds of input used to reach the database or the JSON decoder and end in a 500:

* an integer path parameter (``{id:int}``) beyond the 64-bit signed range of the id columns
  (SQLite and PostgreSQL ``BIGINT``/``INTEGER``): no such record can exist, so it is a 404
  with the usual Chinese not-found body;
* a date query parameter outside 1900-01-01 … 2099-12-31: 422 naming it;
* a JSON body nested deeper than ``MAX_JSON_DEPTH`` levels: refused with 400 before any decoder
  recurses into it (the scan below is a plain loop, no recursion).

The middleware runs after routing (Litestar sets ``scope["path_params"]`` before a route's
middleware stack), so the parsed integers are there to check; errors raised here go through the
app's one exception handler.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qsl

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import BadRequest, NotFound
from core.forms import check_date_range

ID_MIN = -(2**63)
ID_MAX = 2**63 - 1
MAX_JSON_DEPTH = 32
# Query parameters typed as dates (every FromQuery[date] in the app is one of these names).
DATE_QUERY = re.compile(r"^(date_from|date_to|as_of|\w+_on)$")
DATE_TEXT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def id_out_of_range(value: object) -> bool:
    """True for an int that no 64-bit id column can hold (bool is not an id)."""
    return isinstance(value, int) and not isinstance(value, bool) and not ID_MIN <= value <= ID_MAX


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the JSON text nests arrays/objects deeper than ``limit`` (brackets in strings
    do not count). A linear scan; malformed text is left to the decoder."""
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def check_query_dates(query: str) -> None:
    """422 naming the parameter for a date query value outside 1900-01-01 … 2099-12-31
    (Litestar does not apply range constraints to date query parameters)."""
    if "-" not in query and "%2d" not in query.lower():
        return  # no value can be a date (YYYY-MM-DD): nothing to decode (hot public lookups)
    for name, value in parse_qsl(query):
        match = DATE_TEXT.match(value)
        if match and DATE_QUERY.match(name):
            try:
                day = date(*(int(g) for g in match.groups()))
            except ValueError:
                continue  # not a calendar date: the parameter parser says so
            check_date_range(day, name)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return b"json" in value.lower()
    return False


class InputGuardMiddleware(ASGIMiddleware):
    """404 for ids beyond 64 bits; 400 (Chinese message) for JSON deeper than 32 levels."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if any(id_out_of_range(v) for v in (scope.get("path_params") or {}).values()):
            raise NotFound()
        check_query_dates(scope.get("query_string", b"").decode("latin-1"))
        if scope.get("method", "GET") in ("POST", "PUT", "PATCH") and _is_json(scope):
            chunks: list[bytes] = []
            more = True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                more = message.get("more_body", False)
            body = b"".join(chunks)
            if json_depth_exceeds(body):
                raise BadRequest(f"JSON 嵌套层数超过 {MAX_JSON_DEPTH} 层，请求格式不正确")
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await next_app(scope, replay, send)
            return
        await next_app(scope, receive, send)
