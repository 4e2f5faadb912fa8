"""Verify a certificate credential offline: ``python -m certification.verify FILE.json``.

    python -m certification.verify CREDENTIAL.json [--status-list LIST.json ...]
        [--keys PUBLISHED_KEYS.json] [--online [BASE_URL]] [--today YYYY-MM-DD]

Exit status: 0 valid, 1 invalid, 2 unreadable input. Status lists are fetched over the
network only with --online (BASE_URL, if given, replaces the lists' scheme and host, e.g. to
check against a staging server); contexts never are.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from certification.vc.checks import (
    NOT_CHECKED,
    Check,
    check_issuer_controls_key,
    check_status_entry,
    check_trusted_key,
    check_validity_period,
    issuer_id,
)
from certification.vc.dataintegrity import verify_proof
from certification.vc.jsonld import VC_V2_CONTEXT
from certification.vc.keys import trusted_verification_methods
from core import clock

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
FETCH_TIMEOUT_SECONDS = 10
FETCH_ACCEPT = "application/vc+ld+json, application/ld+json, application/json"


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    checks: list[Check]
    reasons: list[str] = field(default_factory=list)  # why it is invalid
    warnings: list[str] = field(default_factory=list)  # what could not be checked


def _structure_check(doc: dict) -> Check:
    context = doc.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC_V2_CONTEXT:
        return Check(
            "structure", False, f"@context 首项应为 (first @context must be) {VC_V2_CONTEXT}"
        )
    if "VerifiableCredential" not in (doc.get("type") or []):
        return Check("structure", False, "type 应含 VerifiableCredential (type must include it)")
    if not issuer_id(doc) or not isinstance(doc.get("credentialSubject"), dict):
        return Check(
            "structure", False, "缺少 issuer 或 credentialSubject (issuer or subject missing)"
        )
    return Check("structure", True, "VC 2.0 结构完整 (well-formed VC 2.0)")


def verify_credential(
    doc: dict,
    *,
    trusted_keys: set[str] | None,
    status_lists: dict[str, dict] | None,
    fetch: Callable[[str], dict] | None,
    today: date,
) -> VerifyReport:
    """Check proof, issuer and key, validity period on ``today`` and every status entry.

    ``trusted_keys``: verification method ids (or DIDs) of the bureau's published keys;
    None skips that check with a warning. A status list is taken from ``status_lists`` by
    URL, else from ``fetch``; with neither, the status is reported as not checked.
    """
    checks = [_structure_check(doc)]
    warnings = []
    if checks[0].ok:
        proof_ok, proof_message = verify_proof(doc)
        checks.append(Check("proof", proof_ok, proof_message))
        checks.append(check_issuer_controls_key(doc))
        if trusted_keys is not None:
            checks.append(check_trusted_key(doc, trusted_keys))
        else:
            warnings.append(
                "未提供发证机关密钥清单，未核对签名密钥归属 (no key list given: key not checked)"
            )
        checks.append(check_validity_period(doc, today))
        checks.extend(_status_checks(doc, status_lists, fetch, trusted_keys, today, warnings))
    reasons = [check.message for check in checks if not check.ok]
    return VerifyReport(not reasons, checks, reasons, warnings)


def _status_checks(doc, status_lists, fetch, trusted_keys, today, warnings) -> list[Check]:
    entries = doc.get("credentialStatus", [])
    entries = entries if isinstance(entries, list) else [entries]

    def source(url: str) -> dict | None:
        if status_lists and url in status_lists:
            return status_lists[url]
        return fetch(url) if fetch is not None else None

    has_source = bool(status_lists) or fetch is not None
    checks = [
        check_status_entry(
            entry, issuer_id(doc), source if has_source else None, trusted_keys, today
        )
        for entry in entries
    ]
    warnings.extend(check.message for check in checks if check.message.startswith(NOT_CHECKED))
    return checks


def http_fetch(base_url: str | None = None) -> Callable[[str], dict]:
    """A fetch for status list credentials (only used with --online)."""

    def fetch(url: str) -> dict:
        if base_url:
            parts = urlsplit(url)
            url = base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
        request = urllib.request.Request(url, headers={"Accept": FETCH_ACCEPT})
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            return json.loads(response.read().decode("utf-8"))

    return fetch


def format_report(report: VerifyReport) -> str:
    verdict = "有效 (VALID)" if report.ok else "无效 (INVALID)"
    lines = [f"结论 Verdict: {verdict}"]
    lines += [
        f"  {'✓' if check.ok else '✗'} {check.name}: {check.message}" for check in report.checks
    ]
    if report.reasons:
        lines.append("原因 Reasons:")
        lines += [f"  - {reason}" for reason in report.reasons]
    if report.warnings:
        lines.append("提示 Notes:")
        lines += [f"  - {warning}" for warning in report.warnings]
    return "\n".join(lines)


def _read_json_object(path: str) -> dict:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("不是 JSON 对象 (not a JSON object)")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m certification.verify",
        description="核验证书凭证 (verify a certificate credential)",
    )
    parser.add_argument("credential", help="凭证 JSON 文件 (credential JSON file)")
    parser.add_argument("--status-list", action="append", default=[], help="状态列表凭证 JSON 文件")
    parser.add_argument("--keys", help="发证机关公布的密钥清单 JSON (the published keys document)")
    parser.add_argument(
        "--online",
        nargs="?",
        const="",
        default=None,
        metavar="BASE_URL",
        help="联网获取状态列表 (fetch status lists over the network)",
    )
    parser.add_argument(
        "--today", type=date.fromisoformat, help="核验日期 YYYY-MM-DD (default: today)"
    )
    args = parser.parse_args(argv)
    try:
        doc = _read_json_object(args.credential)
        lists = [_read_json_object(path) for path in args.status_list]
        trusted = trusted_verification_methods(_read_json_object(args.keys)) if args.keys else None
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"无法读取输入 (unreadable input): {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    report = verify_credential(
        doc,
        trusted_keys=trusted,
        status_lists={status_list.get("id"): status_list for status_list in lists},
        fetch=http_fetch(args.online) if args.online is not None else None,
        today=args.today or clock.today(),
    )
    print(format_report(report))
    return EXIT_VALID if report.ok else EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
