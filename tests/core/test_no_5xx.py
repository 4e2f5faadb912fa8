"""No input brings a 5xx. One parametrised test per kind of input; the routes
come from the app itself, not from a list typed here."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.input_guard import MAX_JSON_DEPTH, json_depth_exceeds
from tests.conftest import api_token, login

BEYOND_64_BIT = ["9223372036854775808", "-9223372036854775809", "9" * 40]


def _int_param_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path template) of every route with an integer path parameter."""
    found = []
    for route in app.routes:
        params = getattr(route, "path_parameters", ())
        kinds = [p.type for p in params.values()] if isinstance(params, dict) else [
            p.type for p in params]
        if int not in kinds:
            continue
        for method in sorted(getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}):
            found.append((method, route.path_format if hasattr(route, "path_format")
                          else route.path))
    return found


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_ids_beyond_64_bits_are_404_on_every_route(client: Any, app: Any, make_user: Any) -> None:
    routes = _int_param_routes(app)
    assert len(routes) > 20, routes  # the enumeration found the app's routes
    make_user("admin", "g1admin")
    headers = api_token(client, "g1admin")
    login(client, "g1admin")
    failures = []
    for method, path in routes:
        for value in BEYOND_64_BIT:
            url = _fill(path, value)
            kwargs: dict[str, Any] = {"headers": {**headers, "x-csrftoken":
                                                  client.cookies.get("csrftoken", "")}}
            if method in ("POST", "PUT", "PATCH"):
                kwargs["json"] = {}
            response = client.request(method, url, follow_redirects=False, **kwargs)
            if response.status_code != 404:
                failures.append((method, url, response.status_code))
    assert not failures, failures
    response = client.get("/api/v1/certificates/9223372036854775808", headers=headers)
    assert response.status_code == 404
    assert "不存在" in response.text or "未找到" in response.text


def _page_routes(app: Any) -> list[str]:
    """GET paths without path parameters whose handler takes a ``page`` query parameter."""
    paths = []
    for route in app.routes:
        if getattr(route, "path_parameters", None) or "GET" not in getattr(route, "methods", ()):
            continue
        for handler in getattr(route, "route_handlers", ()):
            if "GET" in handler.http_methods and any(
                    name == "page" or getattr(fd.kwarg_definition, "name", None) == "page"
                    for name, fd in handler.parsed_fn_signature.parameters.items()):
                paths.append(route.path)
    return sorted(set(paths))


@pytest.mark.parametrize("page", ["9223372036854775807", "9223372036854775808", "9" * 30,
                                  "1000001"])
def test_pages_beyond_the_last_are_not_5xx_on_every_list(client: Any, app: Any,
                                                         make_user: Any, page: str) -> None:
    paths = _page_routes(app)
    assert "/api/v1/facilities/public" in paths and len(paths) > 15, paths
    anonymous = client.get(f"/api/v1/facilities/public?page={page}")
    assert anonymous.status_code == 200 and anonymous.json() == []
    make_user("admin", "g1admin")
    headers = api_token(client, "g1admin")
    login(client, "g1admin")
    failures = []
    redirected: set[str] = set()
    forbidden: set[str] = set()
    for path in paths:
        for per_page in ("20", "9223372036854775808", "-5"):
            response = client.get(f"{path}?page={page}&per_page={per_page}", headers=headers,
                                  follow_redirects=False)
            if response.status_code >= 500:
                failures.append((path, per_page, response.status_code))
            elif response.status_code == 403:  # another role's list (the admin is refused)
                forbidden.add(path)
            elif not path.startswith("/api/") and response.status_code == 303:
                assert "page=1" in response.headers["location"], path  # the (only) last page
                redirected.add(path)
            elif path.startswith("/api/") and response.status_code == 200:
                body = response.json()
                items = body if isinstance(body, list) else body.get("items", [])
                assert items == [], path
    assert not failures, failures
    html = {p for p in paths if not p.startswith("/api/")} - forbidden
    assert len(html) > 8, html
    assert redirected == html, html - redirected  # every HTML list shows its last page


def test_api_page_beyond_last_keeps_the_real_total(client: Any, make_user: Any) -> None:
    make_user("admin", "g1admin")
    headers = api_token(client, "g1admin")
    response = client.get("/api/v1/audit?page=9223372036854775807", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"] == [] and body["total"] >= 1  # the token issue wrote audit rows


@pytest.mark.parametrize("path", ["/api/v1/auth/register", "/api/v1/auth/token"])
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 50_000])
def test_json_nested_too_deep_is_400(client: Any, path: str, depth: int) -> None:
    from core.tables import User  # noqa: F401  (the table exists: nothing written below)

    body = "[" * depth + "]" * depth
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert "嵌套" in response.json()["detail"]


def test_json_depth_scan_counts_only_brackets_outside_strings() -> None:
    assert not json_depth_exceeds(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')
    assert json_depth_exceeds(b"[" * 33)
    assert not json_depth_exceeds(b"[" * 32 + b"]" * 32)


def _parsers() -> list[tuple[str, Any]]:
    from core import forms
    from employers.labour import forms as labour_forms

    return [
        ("core.parse_int", lambda v: forms.parse_int(v, "n", "数量")),
        ("core.parse_decimal", lambda v: forms.parse_decimal(v, "n", "数量")),
        ("core.parse_yuan", lambda v: forms.parse_yuan(v, "n")),
        ("labour.parse_hours", lambda v: labour_forms.parse_hours(v, "n")),
    ]


@pytest.mark.parametrize("value", ["inf", "-inf", "NaN", "Infinity", "abc", "1e400",
                                   str(2**63), "99999999999999999999999"])
def test_every_form_number_parser_refuses_non_finite_and_huge_numbers(value: str) -> None:
    from core.errors import ValidationError

    huge = value[0].isdigit()
    for name, parse in _parsers():
        if huge and name == "core.parse_decimal":  # unbounded by design: callers bound it
            continue
        with pytest.raises(ValidationError) as refused:
            parse(value)
        assert refused.value.field == "n", name
        assert re.search(r"[\u4e00-\u9fff]", refused.value.message), name


def test_every_amount_in_fen_states_its_maximum_in_the_openapi(client: Any) -> None:
    from core.forms import MAX_FEN

    schemas = client.get("/schema/openapi.json").json()["components"]["schemas"]
    inputs = {name: s for name, s in schemas.items() if not name.endswith("Out")}
    checked = []
    for name, schema in inputs.items():
        for prop, spec in (schema.get("properties") or {}).items():
            if prop.endswith("_fen") and "minimum" in str(spec):  # inputs state a minimum
                options = spec.get("anyOf", [spec])
                assert any(o.get("maximum") == MAX_FEN for o in options), (name, prop, spec)
                checked.append((name, prop))
    assert ("CourseIn", "fee_fen") in checked or any(p == "fee_fen" for _, p in checked), checked


@pytest.mark.parametrize("day", ["1899-12-31", "2100-01-01", "9999-12-31"])
def test_date_query_parameters_out_of_range_are_422_naming_them(client: Any, make_user: Any,
                                                                 day: str) -> None:
    """Every GET operation in the OpenAPI with a date query parameter refuses far dates."""
    make_user("admin", "g1admin")
    headers = api_token(client, "g1admin")
    spec = client.get("/schema/openapi.json").json()
    cases = [(_fill(path, "1"), p["name"]) for path, ops in spec["paths"].items()
             for p in ops.get("get", {}).get("parameters", [])
             if p.get("in") == "query" and "date" in str(p.get("schema"))
             and '"format": "date"' in __import__("json").dumps(p.get("schema"))]
    assert len(cases) >= 6 and any(n == "as_of" for _, n in cases), cases
    for path, name in cases:
        response = client.get(path, params={name: day}, headers=headers)
        assert response.status_code == 422, (path, name, response.text)
        assert response.json()["field"] == name and "1900-01-01" in response.json()["detail"]
    ok = client.get(cases[0][0], params={cases[0][1]: "2026-01-01"}, headers=headers)
    assert ok.status_code < 400, ok.text
