"""The providers list reads a page of providers and their scopes in a fixed number of queries,
whatever the number of providers on the page (no query per row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.conftest import api_token, login
from tests.training.conftest import uscc_for


@contextmanager
def counted(monkeypatch: Any) -> Iterator[list[str]]:
    """Every query the engine runs inside the block, as its SQL text."""
    from core.db import engine

    kind = type(engine())
    seen: list[str] = []
    original = kind.run_querystring

    async def counting(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(kind, "run_querystring", counting)
        yield seen


def _add(client: Any, headers: dict[str, str], serial: int, levels: list[int]) -> int:
    body = {"name": f"第{serial}培训学校", "uscc": uscc_for(serial),
            "scopes": [{"qualification_code": "CHILDCARE_WORKER", "level": lv, "scope": "train"}
                       for lv in levels]}
    r = client.post("/api/v1/providers", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_provider_list_queries_do_not_grow_with_rows(client, make_user, monkeypatch):
    make_user("hrss_officer", "hrss1")
    headers = api_token(client, "hrss1")
    first = _add(client, headers, 1, [4])
    _add(client, headers, 2, [])

    with counted(monkeypatch) as two:
        r = client.get("/api/v1/providers", headers=headers)
    assert r.status_code == 200 and r.json()["total"] == 2

    for serial in range(3, 9):
        _add(client, headers, serial, [3, 4])
    with counted(monkeypatch) as eight:
        r = client.get("/api/v1/providers", headers=headers)
    data = r.json()
    assert data["total"] == 8 and len(data["items"]) == 8
    assert len(two) > 0 and len(eight) == len(two), (two, eight)

    # each provider keeps its own scopes, in the detail's order (level descending)
    by_id = {p["id"]: p for p in data["items"]}
    assert by_id[first]["scopes"] == [
        {"qualification_code": "CHILDCARE_WORKER", "level": 4, "scope": "train"}]
    newest = data["items"][0]
    assert [s["level"] for s in newest["scopes"]] == [4, 3]
    assert client.get(f"/api/v1/providers/{newest['id']}",
                      headers=headers).json() == newest


def test_officer_providers_page_queries_do_not_grow_with_rows(client, make_user, monkeypatch):
    make_user("hrss_officer", "hrss1")
    headers = api_token(client, "hrss1")
    _add(client, headers, 1, [4])
    login(client, "hrss1")
    with counted(monkeypatch) as one:
        r = client.get("/training/providers")
    assert r.status_code == 200 and "第1培训学校" in r.text
    for serial in range(2, 7):
        _add(client, headers, serial, [4])
    with counted(monkeypatch) as six:
        r = client.get("/training/providers")
    assert "第6培训学校" in r.text
    assert len(one) > 0 and len(six) == len(one), (one, six)
