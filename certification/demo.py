"""Demo certificates for a first run: valid, suspended, revoked and superseded ones with fixed
numbers and verification codes, so the README can list them. Also approves the training demo's
submitted exam session, when there is one."""

from __future__ import annotations

from datetime import date

from certification.jobs import run_pending_jobs
from certification.keys import adopt_first_key
from certification.services import lifecycle
from certification.services.approval import approve_session
from certification.services.issuance import NewCertificate, issue
from certification.vc.demo_key import DEMO_KEY_SEED, demo_private_key  # noqa: F401 — re-exported
from core.actor import Actor
from core.demo import demo_id_number
from core.people import PersonInput, find_or_create_person
from core.settings import get_settings
from core.tables import Credential, User
from training.services import exams

DEMO_BODY = "宁河区职业技能评价中心"
DEMO_PREFIX = "S060112000001"  # S, body 0601, Tianjin 12, site 000001
DEMO_ISSUED_ON = date(2026, 6, 15)
# The demo signs with a key derived from a public seed (certification/vc/demo_key.py), so the
# trust list shipped with the verifier can name it. Anyone can sign with it: it proves demo data
# only, and the verifier answers 无法确认 for it unless asked --allow-demo. Production generates
# its own key on first use.

# (name, id first 17, qualification, level, fixed verification code, what happens next)
DEMO_CERTIFICATES = (
    ("李娜", "12022119900315002", "CHILDCARE_WORKER", 4, "K7QPX2MA", None),
    ("孙丽", "12022119880412004", "INFANT_DEVELOPMENT_GUIDE", 4, "R4TW9HCN", "revoke"),
    ("王芳", "12022119920708006", "CHILDCARE_WORKER", 3, "M3VZ8KQD", "reissue"),
    ("赵敏", "12022119850923008", "INFANT_CARER", 5, "H6YB2NRE", "suspend"),
)


async def _actor() -> Actor:
    user = await User.select(User.id, User.username, User.role).where(
        User.username == "hrss").first()
    if user is None:
        return Actor.system("demo")
    return Actor(user["id"], user["username"], user["role"])


async def _approve_training_demo(actor: Actor) -> None:
    for session_id in await exams.submitted_session_ids():
        try:
            await approve_session(session_id, actor)
        except Exception:  # noqa: BLE001 — a demo session that cannot be approved stays as is
            continue


async def seed_key(system: Actor) -> None:
    """Sign the demo with the demo key, only when the registry has no key yet and no
    SIGNING_KEY_PASSPHRASE is set (a production set-up never signs with a public key)."""
    if not get_settings().signing_key_passphrase:
        await adopt_first_key(demo_private_key(), system)


async def seed(system: Actor) -> None:
    actor = await _actor()
    await _approve_training_demo(actor)
    for n, (name, first17, code, level, verification, then) in enumerate(DEMO_CERTIFICATES):
        person = await find_or_create_person(
            PersonInput("居民身份证", demo_id_number(first17), name), system)
        [cid] = await issue([NewCertificate(
            person_id=person.id, kind="skill", qualification_code=code,
            number_prefix=f"{DEMO_PREFIX}{DEMO_ISSUED_ON.year % 100:02d}{level}",
            issuer_name=DEMO_BODY, issuer_code="S0601", issued_on=DEMO_ISSUED_ON,
            origin_key=f"demo:{n}", origin_type="demo", level=level,
        )], actor, job_title="演示证书")
        await Credential.update({Credential.verification_code: verification}).where(
            Credential.id == cid)
        if then == "revoke":
            await lifecycle.revoke(cid, "考核材料不实，经核查撤销", actor,
                                   "举报人提供的考场录像显示替考（演示内部备注）")
        elif then == "suspend":
            await lifecycle.suspend(cid, "收到投诉，核查期间暂停", actor,
                                    "家长投诉，待机构提交排班记录（演示内部备注）")
        elif then == "reissue":
            await lifecycle.reissue(cid, "lost", "本人遗失声明（演示）", actor)
    await run_pending_jobs()
