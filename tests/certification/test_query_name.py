"""The public lookup reads its ``name`` parameter itself (certification.controllers.public
.query_name): it must read any query string exactly as the framework would bind
``name: FromQuery[str]`` (urllib's parse_qsl, the last of a repeated name)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from certification.controllers.public import query_name


def framework_name(query_string: bytes) -> str:
    """As Litestar binds ``name: FromQuery[str] = ""``: parse_qsl, then a dict of the pairs in
    order (the last of a repeated key wins)."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, separator="&")
    return dict(pairs).get("name", "")


PIECES = st.sampled_from([b"name", b"na%6De", b"nam", b"x", b"=", b"&", b"+", b"%", b"%2", b"%E7",
                          b"%E7%8E%8B", b"%20", b"%26", b"%3D", b"%ZZ", "王芳".encode(), b"\x00"])


@given(st.lists(PIECES, max_size=12).map(b"".join))
def test_query_name_reads_as_parse_qsl(query_string):
    assert query_name(query_string) == framework_name(query_string)


@given(st.binary(max_size=40))
def test_query_name_reads_any_bytes_as_parse_qsl(query_string):
    assert query_name(query_string) == framework_name(query_string)
