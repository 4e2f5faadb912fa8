"""Verify a certificate credential: ``python -m certification.verify FILE.json``.

    python -m certification.verify CREDENTIAL.json [--status-list LIST.json ...]
        [--keys PUBLISHED_KEYS.json ...] [--trust-list FILE] [--online [BASE_URL]]
        [--trust-url] [--allow-demo] [--today YYYY-MM-DD] [--now ISO-DATETIME]

Verdicts and exit status:
  0 有效 (VALID)            the proof verifies with a key the issuer publishes, the dates hold
                            and every revocation/suspension entry was read from a list the
                            issuer signed, all clear;
  1 无效 (INVALID)          altered, expired, not yet valid, revoked or suspended;
  1 已被替代 (SUPERSEDED)   re-issued under a new number (told by the credential's message
                            entry; older credentials say "已撤销或已被替代" instead);
  2 unreadable input;
  3 无法确认 (not verified)  nothing wrong was found, but the key is not one the issuer
                            publishes, or the status was not (or could not be) checked (no
                            list, or a list past its validUntil: an old copy could be a replay),
                            or the key is the public demo key (unless --allow-demo), or the key
                            was fetched from a BASE_URL not in the trust list (unless
                            --trust-url).

A retired key (retiredOn in the published keys or the trust list) vouches only for credentials
whose proof ``created`` and ``validFrom`` are not after its retirement: a later one is INVALID.
Dates are judged on --today (a China date) and status-list freshness at the instant --now
(default: the current time; with only --today, 12:00 China time that day).

Keys are trusted from the trust list shipped with the tool (certification/vc/trusted-issuers.json
or --trust-list), from --keys files (the issuer's /.well-known/caregiver-registry/keys.json) and,
with --online, from that document fetched from the trusted issuers' public addresses (or
BASE_URL: an address not in the trust list is trusted only because you named it, and the
verdict says so). --online also fetches the status lists (BASE_URL, if given, replaces their
scheme and host, e.g. to check against a staging server) and, for a revoked or superseded
certificate, asks the public lookup for its replacement's number. Contexts are never fetched:
they are bundled.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path

from certification.vc.checks import (
    UNCHECKED,
    UNCONFIRMED,
    Check,
    check_issuer_controls_key,
    check_not_after_retirement,
    check_status_entry,
    check_trusted_key,
    check_validity_period,
    issuer_id,
    proof_method,
)
from certification.vc.dataintegrity import verify_proof
from certification.vc.demo_key import demo_verification_method
from certification.vc.jsonld import VC_V2_CONTEXT, registry_contexts
from certification.vc.sources import (
    Fetch,
    KeySource,
    find_replacement,
    http_fetch,
    online_keys,
    published_keys,
    trust_list_keys,
)
from certification.vc.trust import TRUST_LIST_FILE, load_trust_list
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
# failing any: INVALID
HARD_CHECKS = ("structure", "proof", "issuer", "validity", "retirement")
REVOKED_OR_SUPERSEDED = "已撤销或已被替代 (revoked or superseded)"
DEMO_KEY_REASON = ("演示密钥（公开种子）签名：只能说明这是演示数据，不能证明真实性 "
                   "(signed with the demo key, whose seed is public: demo data, not proof)")
DEMO_KEY_NOTE = f"{DEMO_KEY_REASON}；已按 --allow-demo 接受 (accepted: --allow-demo)"
NAMED_URL_REASON = ("按您指定的地址 {base} 公布的密钥核验；该地址不在信任列表中，发证者 {issuer} "
                    "(checked with the keys published at the address you named, which is not in "
                    "the trust list)")
TRUST_URL_HINT = "如确认信任该地址，请加 --trust-url (add --trust-url if you trust that address)"
STATUS_HINT = ("请用 --status-list 提供状态列表，或用 --online 联网获取 "
               "(give the lists with --status-list, or use --online)")
CHINA_NOON = time(12, 0, tzinfo=clock.CHINA)


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


def verification_instant(today: date | None, now: datetime | None) -> datetime:
    """The instant status-list freshness is judged at: ``now`` if given; else the current time
    when ``today`` is None or today (China); else 12:00 China time on ``today``."""
    if now is not None:
        return now
    if today is None or today == clock.today():
        return clock.now()
    return datetime.combine(today, CHINA_NOON)


def verify_credential(
    doc: dict,
    *,
    trusted_keys: Mapping[str, KeySource] | set[str] | None,
    status_lists: dict[str, dict] | None,
    fetch: Fetch | None,
    today: date,
    now: datetime | None = None,
    allow_demo: bool = False,
    trust_named_url: bool = False,
) -> VerifyReport:
    """The verdict on ``doc`` on ``today`` (see the module docstring).

    ``trusted_keys``: verification method ids (or DIDs) the issuer publishes, as a set or
    mapped to their KeySource; None or empty means no key can be trusted (NOT_VERIFIED).
    A status list is taken from ``status_lists`` by URL, else from ``fetch``; it must be fresh
    (validUntil not before ``now``, see verification_instant). A proof by the public demo key
    is NOT_VERIFIED unless ``allow_demo``; one by a key only a user-named address publishes is
    NOT_VERIFIED unless ``trust_named_url``; one by a retired key after its retirement INVALID.
    """
    now = verification_instant(today, now)
    checks = [_structure_check(doc)]
    method = proof_method(doc) or ""
    source = trusted_keys.get(method) if isinstance(trusted_keys, Mapping) else None
    if source is None and method == demo_verification_method():  # by value, whatever the source
        source = KeySource("演示密钥 (demo key)", demo=True)
    if checks[0].ok:
        proof_ok, proof_message = verify_proof(doc)
        checks.append(Check("proof", proof_ok, proof_message))
        checks.append(check_issuer_controls_key(doc))
        trusted = check_trusted_key(doc, set(trusted_keys or ()))
        if trusted.ok and source is not None:
            trusted = trusted._replace(message=f"{trusted.message}: {source.label}")
        checks.append(trusted)
        if source is not None and source.retired_on is not None:
            checks.append(check_not_after_retirement(doc, source.retired_on))
        checks.append(check_validity_period(doc, today))
        checks.extend(_status_checks(doc, status_lists, fetch, set(trusted_keys or ()), today,
                                     now))
    verdict, reasons, warnings = _verdict(doc, checks)
    if source is not None and verdict in (VALID, NOT_VERIFIED):
        verdict, reasons, warnings = _source_limits(
            doc, source, verdict, reasons, warnings, allow_demo, trust_named_url)
    elif source is not None and source.demo:
        warnings.append(DEMO_KEY_REASON)
    return VerifyReport(verdict, checks, reasons, warnings)


def _source_limits(doc, source, verdict, reasons, warnings, allow_demo, trust_named_url):
    """What a demo key or a key only a user-named address publishes does to a verdict that
    found nothing wrong: NOT_VERIFIED unless the user accepted it explicitly."""
    reasons, warnings = list(reasons), list(warnings)
    if source.demo:
        if allow_demo:
            warnings.append(DEMO_KEY_NOTE)
        else:
            verdict = NOT_VERIFIED
            reasons.append(DEMO_KEY_REASON)
    if source.named_by_user:
        said = NAMED_URL_REASON.format(base=source.base_url, issuer=issuer_id(doc))
        if trust_named_url:
            warnings.append(f"{said}；已按 --trust-url 接受 (accepted: --trust-url)")
        else:
            verdict = NOT_VERIFIED
            reasons += [said, TRUST_URL_HINT]
    return verdict, reasons, warnings


def _status_checks(doc, status_lists, fetch, trusted_keys, today, now) -> list[Check]:
    entries = doc.get("credentialStatus", [])
    entries = entries if isinstance(entries, list) else [entries]

    def source(url: str) -> dict | None:
        if status_lists and url in status_lists:
            return status_lists[url]
        return fetch(url) if fetch is not None else None

    return [
        check_status_entry(entry, issuer_id(doc), source, trusted_keys, today, now)
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
        "--trust-url", action="store_true",
        help="信任 --online 指定的、不在信任清单中的地址所公布的密钥 (trust the keys published "
             "at the BASE_URL you named although it is not in the trust list)",
    )
    parser.add_argument(
        "--allow-demo", action="store_true",
        help="接受演示密钥签名的演示数据 (accept demo data signed with the public demo key)",
    )
    parser.add_argument(
        "--today", type=date.fromisoformat, help="核验日期 YYYY-MM-DD (default: today)"
    )
    parser.add_argument(
        "--now", type=_aware_datetime,
        help="核验时刻（判断状态列表是否过期），如 2026-11-30T09:00:00+08:00 (default: now; "
             "with only --today, 12:00 China time that day)",
    )
    return parser


def _aware_datetime(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("需要带时区的时间，如 +08:00 (an offset is required)")
    return moment


def _online_bases(base: str, issuers) -> dict[str, KeySource]:
    """Where --online fetches published keys: BASE_URL if given (as that trusted issuer's when
    the trust list names it, else as an address only the user vouches for), else every trusted
    issuer's public address."""
    fetched = "联网获取 (fetched from)"
    if not base:
        return {issuer.public_base_url: KeySource(fetched, issuer.public_base_url, issuer.demo)
                for issuer in issuers if issuer.public_base_url}
    for issuer in issuers:
        if issuer.public_base_url == base:
            return {base: KeySource(fetched, base, issuer.demo)}
    label = "按您指定的地址获取，该地址不在信任列表中 (fetched from the address you named)"
    return {base: KeySource(label, base, named_by_user=True)}


def main(argv: list[str] | None = None, fetch: Fetch | None = None) -> int:
    """The command; ``fetch`` replaces the network in tests (used only with --online)."""
    args = _parser().parse_args(argv)
    try:
        doc = _read_json_object(args.credential)
        lists = [_read_json_object(path) for path in args.status_list]
        issuers = load_trust_list(Path(args.trust_list))
        trusted = trust_list_keys(issuers)
        for path in args.keys:
            source = KeySource(f"密钥清单文件 (--keys) {path}")
            published_keys(trusted, _read_json_object(path), source)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"无法读取输入 (unreadable input): {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    notes = []
    if args.online is not None:
        fetch = fetch or http_fetch(args.online or None)
        notes = online_keys(fetch, trusted, _online_bases(args.online.rstrip("/"), issuers))
    else:
        fetch = None
    # The trusted issuers' own context addresses name our bundled context while we check.
    with registry_contexts(url for issuer in issuers for url in issuer.context_urls):
        report = verify_credential(
            doc,
            trusted_keys=trusted,
            status_lists={status_list.get("id"): status_list for status_list in lists},
            fetch=fetch,
            today=args.today or clock.to_china_date(args.now or clock.now()),
            now=verification_instant(args.today, args.now),
            allow_demo=args.allow_demo,
            trust_named_url=args.trust_url,
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
