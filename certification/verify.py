"""Verify a certificate credential: ``python -m certification.verify FILE.json``.

    python -m certification.verify CREDENTIAL.json [--status-list LIST.json ...]
        [--keys PUBLISHED_KEYS.json ...] [--trust-list FILE] [--online [BASE_URL]]
        [--today YYYY-MM-DD]

Verdicts and exit status:
  0 有效 (VALID)            the proof verifies with a key the issuer publishes, the dates hold
                            and every revocation/suspension entry was read from a list the
                            issuer signed, all clear;
  1 无效 (INVALID)          altered, expired, not yet valid, revoked or suspended;
  1 已被替代 (SUPERSEDED)   re-issued under a new number (told by the credential's message
                            entry; older credentials say "已撤销或已被替代" instead);
  2 unreadable input;
  3 无法确认 (not verified)  nothing wrong was found, but the key is not one the issuer
                            publishes, or the status was not (or could not be) checked.

Keys are trusted from the trust list shipped with the tool (certification/vc/trusted-issuers.json
or --trust-list), from --keys files (the issuer's /.well-known/caregiver-registry/keys.json) and,
with --online, from that document fetched from the trusted issuers' public addresses (or
BASE_URL). --online also fetches the status lists (BASE_URL, if given, replaces their scheme and
host, e.g. to check against a staging server) and, for a revoked or superseded certificate, asks
the public lookup for its replacement's number. Contexts are never fetched: they are bundled.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlsplit

from certification.vc.checks import (
    UNCHECKED,
    UNCONFIRMED,
    Check,
    check_issuer_controls_key,
    check_status_entry,
    check_trusted_key,
    check_validity_period,
    issuer_id,
    proof_method,
)
from certification.vc.dataintegrity import verify_proof
from certification.vc.jsonld import VC_V2_CONTEXT
from certification.vc.keys import trusted_verification_methods
from certification.vc.trust import KEYS_PATH, TRUST_LIST_FILE, load_trust_list
from core import clock

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE, EXIT_NOT_VERIFIED = 0, 1, 2, 3
VALID, INVALID, SUPERSEDED, NOT_VERIFIED = "valid", "invalid", "superseded", "not_verified"
VERDICT_LABELS = {
    VALID: "有效 (VALID)",
    INVALID: "无效 (INVALID)",
    SUPERSEDED: "已被替代 (SUPERSEDED)",
    NOT_VERIFIED: "无法确认 (not verified)",
}
EXIT_CODES = {VALID: EXIT_VALID, INVALID: EXIT_INVALID, SUPERSEDED: EXIT_INVALID,
              NOT_VERIFIED: EXIT_NOT_VERIFIED}
HARD_CHECKS = ("structure", "proof", "issuer", "validity")  # failing any: INVALID
LOOKUP_PATH = "/api/v1/public/certificates"
FETCH_TIMEOUT_SECONDS = 10
FETCH_ACCEPT = "application/vc+ld+json, application/ld+json, application/json"
REVOKED_OR_SUPERSEDED = "已撤销或已被替代 (revoked or superseded)"
DEMO_KEY_NOTE = "演示密钥：私钥公开，只能证明演示数据 (demo key: its private key is public)"
STATUS_HINT = ("请用 --status-list 提供状态列表，或用 --online 联网获取 "
               "(give the lists with --status-list, or use --online)")

Fetch = Callable[[str], dict]


@dataclass(frozen=True)
class KeySource:
    """Where a trusted key comes from: its label, the issuer's address, a demo key or not."""

    label: str
    base_url: str | None = None
    demo: bool = False


@dataclass(frozen=True)
class VerifyReport:
    verdict: str
    checks: list[Check]
    reasons: list[str] = field(default_factory=list)  # why it is not VALID
    warnings: list[str] = field(default_factory=list)  # notes that do not change the verdict
    replacement: str | None = None  # the new certificate's number, when known (online)

    @property
    def ok(self) -> bool:
        return self.verdict == VALID

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]


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
    trusted_keys: Mapping[str, KeySource] | set[str] | None,
    status_lists: dict[str, dict] | None,
    fetch: Fetch | None,
    today: date,
) -> VerifyReport:
    """The verdict on ``doc`` on ``today`` (see the module docstring).

    ``trusted_keys``: verification method ids (or DIDs) the issuer publishes, as a set or
    mapped to their KeySource; None or empty means no key can be trusted (NOT_VERIFIED).
    A status list is taken from ``status_lists`` by URL, else from ``fetch``.
    """
    checks = [_structure_check(doc)]
    source = None
    if isinstance(trusted_keys, Mapping):
        source = trusted_keys.get(proof_method(doc) or "")
    if checks[0].ok:
        proof_ok, proof_message = verify_proof(doc)
        checks.append(Check("proof", proof_ok, proof_message))
        checks.append(check_issuer_controls_key(doc))
        trusted = check_trusted_key(doc, set(trusted_keys or ()))
        if trusted.ok and source is not None:
            trusted = trusted._replace(message=f"{trusted.message}: {source.label}")
        checks.append(trusted)
        checks.append(check_validity_period(doc, today))
        checks.extend(_status_checks(doc, status_lists, fetch, set(trusted_keys or ()), today))
    verdict, reasons, warnings = _verdict(doc, checks)
    if source is not None and source.demo:
        warnings.append(DEMO_KEY_NOTE)
    return VerifyReport(verdict, checks, reasons, warnings)


def _status_checks(doc, status_lists, fetch, trusted_keys, today) -> list[Check]:
    entries = doc.get("credentialStatus", [])
    entries = entries if isinstance(entries, list) else [entries]

    def source(url: str) -> dict | None:
        if status_lists and url in status_lists:
            return status_lists[url]
        return fetch(url) if fetch is not None else None

    return [
        check_status_entry(entry, issuer_id(doc), source, trusted_keys, today)
        for entry in entries
    ]


def _verdict(doc: dict, checks: list[Check]) -> tuple[str, list[str], list[str]]:
    hard = [check.message for check in checks if check.name in HARD_CHECKS and not check.ok]
    if hard:
        return INVALID, hard, []
    status = [check for check in checks if check.name.startswith("status")]
    said = {check.name.removeprefix("status:"): check for check in status}
    unconfirmed = [check.message for check in status
                   if check.name != "status:message" and check.detail in (UNCHECKED, UNCONFIRMED)]
    unconfirmed += [STATUS_HINT] if unconfirmed else []
    if "revocation" not in said:
        unconfirmed.insert(0, "凭证没有撤销状态条目，无法确认未被撤销 "
                              "(no revocation status entry: revocation cannot be checked)")
    untrusted = [check.message for check in checks if check.name == "trusted_key" and not check.ok]
    if untrusted:  # lists signed by an unknown key are not trusted either
        return NOT_VERIFIED, [*untrusted, *unconfirmed], []
    message = said.get("message")
    message_said = message.detail if message and message.detail not in (UNCHECKED, UNCONFIRMED) \
        else None
    if message_said == "superseded":
        return SUPERSEDED, [message.message], []
    set_bits = [check for check in status if check.detail == "set"]
    if set_bits or message_said not in (None, "valid"):
        reasons = [check.message for check in set_bits]
        if said.get("revocation") in set_bits and message_said is None:
            reasons.append(f"证书{REVOKED_OR_SUPERSEDED}：此凭证未带状态信息条目，无法区分 "
                           "(this credential has no message entry to tell them apart)")
        if message_said not in (None, "valid"):
            reasons.append(message.message)
        return INVALID, reasons, []
    if unconfirmed:
        return NOT_VERIFIED, unconfirmed, []
    notes = [message.message] if message and message.detail in (UNCHECKED, UNCONFIRMED) else []
    return VALID, [], notes


def http_fetch(base_url: str | None = None) -> Fetch:
    """A JSON fetch over http(s) (only used with --online); ``base_url`` replaces the scheme and
    host of every URL fetched."""

    def fetch(url: str) -> dict:
        if base_url:
            parts = urlsplit(url)
            url = base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"只获取 http(s) 地址 (only http(s) URLs are fetched): {url}")
        request = urllib.request.Request(url, headers={"Accept": FETCH_ACCEPT})
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            return json.loads(response.read().decode("utf-8"))

    return fetch


def online_keys(fetch: Fetch, bases: dict[str, bool]) -> tuple[dict[str, KeySource], list[str]]:
    """Keys published at each base URL (mapped to demo or not); notes for those unreachable."""
    trusted, notes = {}, []
    for base, demo in bases.items():
        url = f"{base}{KEYS_PATH}"
        try:
            methods = trusted_verification_methods(fetch(url))
        except Exception as error:  # noqa: BLE001 — an unreachable issuer is a note, not a crash
            notes.append(f"无法获取发证机关公布的密钥 (cannot fetch published keys {url}): {error}")
            continue
        for method in methods:
            trusted.setdefault(method, KeySource(f"联网获取 (fetched from) {url}", base, demo))
    return trusted, notes


def find_replacement(fetch: Fetch, base: str, doc: dict) -> tuple[str | None, str | None]:
    """The replacement's number from the issuer's public lookup (number + holder name), and a
    note when the lookup fails."""
    subject = doc.get("credentialSubject") or {}
    number, name = subject.get("certificateNumber"), subject.get("holderName")
    if not (isinstance(number, str) and isinstance(name, str)):
        return None, None
    url = f"{base}{LOOKUP_PATH}/{quote(number)}?name={quote(name)}"
    try:
        answer = fetch(url)
    except Exception as error:  # noqa: BLE001
        return None, f"无法查询替代证书 (cannot look up the replacement): {error}"
    replacement = answer.get("superseded_by") if isinstance(answer, dict) else None
    return (replacement if isinstance(replacement, str) and replacement else None), None


def format_report(report: VerifyReport) -> str:
    lines = [f"结论 Verdict: {VERDICT_LABELS[report.verdict]}"]
    if report.replacement:
        lines.append(f"新证书编号 (replacement certificate): {report.replacement}")
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m certification.verify",
        description="核验证书凭证 (verify a certificate credential)",
    )
    parser.add_argument("credential", help="凭证 JSON 文件 (credential JSON file)")
    parser.add_argument("--status-list", action="append", default=[], help="状态列表凭证 JSON 文件")
    parser.add_argument("--keys", action="append", default=[],
                        help="发证机关公布的密钥清单 JSON (the published keys document)")
    parser.add_argument("--trust-list", default=str(TRUST_LIST_FILE),
                        help="信任的发证机关清单 (trust list; default: the one shipped)")
    parser.add_argument(
        "--online", nargs="?", const="", default=None, metavar="BASE_URL",
        help="联网获取发证机关公布的密钥和状态列表 (fetch published keys and status lists)",
    )
    parser.add_argument(
        "--today", type=date.fromisoformat, help="核验日期 YYYY-MM-DD (default: today)"
    )
    return parser


def main(argv: list[str] | None = None, fetch: Fetch | None = None) -> int:
    """The command; ``fetch`` replaces the network in tests (used only with --online)."""
    args = _parser().parse_args(argv)
    try:
        doc = _read_json_object(args.credential)
        lists = [_read_json_object(path) for path in args.status_list]
        trusted: dict[str, KeySource] = {}
        issuers = load_trust_list(Path(args.trust_list))
        for issuer in issuers:
            for method in issuer.methods:
                label = f"随工具提供的信任清单 (shipped trust list): {issuer.name}"
                trusted[method] = KeySource(label, issuer.public_base_url, issuer.demo)
        for path in args.keys:
            for method in trusted_verification_methods(_read_json_object(path)):
                trusted.setdefault(method, KeySource(f"密钥清单文件 (--keys) {path}"))
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"无法读取输入 (unreadable input): {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    notes = []
    if args.online is not None:
        fetch = fetch or http_fetch(args.online or None)
        bases = {args.online.rstrip("/"): False} if args.online else {
            issuer.public_base_url: issuer.demo for issuer in issuers if issuer.public_base_url}
        fetched, notes = online_keys(fetch, bases)
        trusted = fetched | trusted
    else:
        fetch = None
    report = verify_credential(
        doc,
        trusted_keys=trusted,
        status_lists={status_list.get("id"): status_list for status_list in lists},
        fetch=fetch,
        today=args.today or clock.today(),
    )
    source = trusted.get(proof_method(doc) or "")
    revoked = report.verdict == SUPERSEDED or any(
        check.detail == "set" for check in report.checks if check.name == "status:revocation")
    if fetch is not None and revoked and source is not None:
        base = args.online.rstrip("/") or source.base_url
        replacement, note = find_replacement(fetch, base, doc) if base else (None, None)
        notes += [note] if note else []
        report = replace(report, replacement=replacement)
    report = replace(report, warnings=[*report.warnings, *notes])
    print(format_report(report))
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
