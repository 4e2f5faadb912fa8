"""The OpenAPI document lists the error responses each operation really gives (the API fuzzing
in .ci/run fails on any status the document does not list)."""

from __future__ import annotations

from typing import Any

import pytest

from core.openapi_errors import OperationShape, error_statuses


def shape(path: str = "/api/v1/things/{thing_id}", method: str = "GET",
          **kw: Any) -> OperationShape:
    base = dict(guarded=True, has_body=False, has_parameters=False, has_path_parameters=True,
                multipart=False)
    return OperationShape(path=path, method=method, **{**base, **kw})


@pytest.mark.parametrize(("op", "expected"), [
    (shape(), {401, 403, 404, 422}),
    (shape(method="POST", has_body=True), {400, 401, 403, 404, 409, 422}),
    (shape("/api/v1/things", has_path_parameters=False, has_parameters=True), {401, 403, 422}),
    (shape("/api/v1/public/certificates/{number}", guarded=False), {404, 422, 429}),
    (shape("/api/v1/auth/claim/code", "POST", has_path_parameters=False),
     {401, 403, 409, 422, 429}),
    (shape("/api/v1/auth/token", "POST", guarded=False, has_body=True, has_path_parameters=False),
     {400, 401, 409, 422, 429}),
    (shape("/api/v1/files", "POST", has_body=True, multipart=True, has_path_parameters=False),
     {400, 401, 403, 409, 413, 422}),
])
def test_error_statuses_follow_what_the_operation_takes(op: OperationShape,
                                                        expected: set[int]) -> None:
    assert error_statuses(op) == expected


def test_every_api_operation_documents_its_errors_with_the_error_body(client: Any) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert "ErrorResponse" in schema["components"]["schemas"]
    checked = 0
    for path, item in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = op["responses"]
            if not path.startswith("/api/v1/public/"):
                assert "401" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if method != "get":
                assert "409" in responses, (method, path)
            ref = responses["401" if "401" in responses else "404"]["content"]["application/json"]
            assert ref["schema"]["$ref"].endswith("/ErrorResponse"), (method, path)
            checked += 1
    assert checked > 50


def test_a_guarded_operation_answers_only_documented_errors(client: Any) -> None:
    schema = client.get("/schema/openapi.json").json()
    documented = schema["paths"]["/api/v1/audit"]["get"]["responses"]
    r = client.get("/api/v1/audit")
    assert r.status_code == 401 and str(r.status_code) in documented
    body = r.json()
    assert set(body) <= {"status_code", "detail", "field", "errors"} and body["status_code"] == 401
