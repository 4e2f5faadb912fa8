"""Multibase encodings used by Data Integrity proofs, did:key and Bitstring Status Lists.

Only the two bases the specifications need: base58btc (prefix ``z``; proof values and keys) and
base64url without padding (prefix ``u``; status list bitstrings).
Source: draft-multiformats-multibase (prefix table), W3C Controlled Identifiers 1.0 §2.4.
"""

from __future__ import annotations

import base64

BASE58BTC_PREFIX = "z"
BASE64URL_PREFIX = "u"
_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: value for value, char in enumerate(_BASE58_ALPHABET)}


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_BASE58_ALPHABET[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _BASE58_INDEX:
            raise ValueError(f"非 base58 字符 (not a base58btc character): {char!r}")
        number = number * 58 + _BASE58_INDEX[char]
    leading_zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading_zeros + body


def multibase_base58btc(data: bytes) -> str:
    return BASE58BTC_PREFIX + base58btc_encode(data)


def from_multibase_base58btc(text: str) -> bytes:
    if not text.startswith(BASE58BTC_PREFIX):
        raise ValueError("multibase 值应以 'z' 开头 (expected base58btc multibase, prefix 'z')")
    return base58btc_decode(text[1:])


def multibase_base64url(data: bytes) -> str:
    return BASE64URL_PREFIX + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def from_multibase_base64url(text: str) -> bytes:
    if not text.startswith(BASE64URL_PREFIX):
        raise ValueError("multibase 值应以 'u' 开头 (expected base64url multibase, prefix 'u')")
    body = text[1:]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
