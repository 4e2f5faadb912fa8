"""The compliance forecast, and properties of the engine over random snapshots."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from employers.compliance.engine import RULE_CODES, evaluate
from employers.compliance.forecast import forecast
from employers.compliance.qualifications import health_check_valid_through
from employers.compliance.rules import rules_in_force
from employers.compliance.snapshot import Snapshot
from tests.employers.compliance_builders import (
    CONTRACT_ORDER,
    caregiver,
    cred,
    example,
    facility_with,
    klass,
    person,
    run,
)

# --- forecast ---------------------------------------------------------------------------------


def test_forecast_reports_the_first_failing_day_per_rule():
    data = example()
    data["staff"][1]["credentials"][1]["expires_on"] = "2027-01-14"  # 王芳's mental-health training
    changes = forecast(Snapshot.from_dict(data), date(2027, 3, 1))
    assert [(c.on.isoformat(), c.code) for c in changes] == [
        ("2027-01-15", "CLASS_RATIO"),
        ("2027-01-15", "CAREGIVER_QUALIFIED"),
        ("2027-01-15", "HEALTH_CHECK"),  # 李娜 checked 2026-01-15
    ]
    assert changes[0].message.startswith("2027-01-15 起，乳儿班 A1 有 6 名婴幼儿")
    assert changes[2].subjects == ("s2",)


def test_forecast_is_empty_when_nothing_lapses_before_until():
    assert forecast(Snapshot.from_dict(example()), date(2027, 1, 14)) == []
    assert forecast(Snapshot.from_dict(example()), date(2026, 1, 1)) == []


def test_forecast_ignores_a_rule_already_failing_until_it_recovers():
    data = example()
    data["staff"][4]["credentials"].append(cred("SECURITY_LICENSE", "2026-12-01", "2026-12-31"))
    data["staff"][4]["credentials"][0]["status"] = "revoked"
    changes = forecast(Snapshot.from_dict(data), date(2027, 1, 10))
    assert [(c.on, c.code) for c in changes] == [(date(2027, 1, 1), "SECURITY")]


def brute_force(snapshot: Snapshot, until: date) -> list[tuple[date, str]]:
    found: dict[str, date] = {}
    previous = {r.code: r.passed for r in evaluate(snapshot).rules}
    day = snapshot.as_of
    while day < until:
        day += timedelta(days=1)
        for r in evaluate(Snapshot(day, snapshot.facility, snapshot.classes, snapshot.staff)).rules:
            if previous[r.code] and not r.passed:
                found.setdefault(r.code, day)
            previous[r.code] = r.passed
    return sorted(((d, c) for c, d in found.items()), key=lambda x: (x[0], RULE_CODES.index(x[1])))


# --- properties over random snapshots ---------------------------------------------------------


LEVELS = {
    "CHILDCARE_WORKER": [1, 2, 3, 4, 5],
    "INFANT_CARER": [3, 4, 5],
    "INFANT_DEVELOPMENT_GUIDE": [1, 2, 3, 4],
}
PLAIN_CODES = [
    "DIRECTOR_TRAINING",
    "CAREGIVER_TRAINING",
    "MENTAL_HEALTH_TRAINING",
    "HEALTH_CARE_TRAINING",
    "SECURITY_LICENSE",
]
CLASS_RULES = {"CLASS_SIZE", "CLASS_RATIO"}
STATUSES = ["valid", "suspended", "revoked", "expired", "superseded"]


def near(as_of: date) -> st.SearchStrategy[date]:
    """Days around as_of, so that things start and stop counting within a forecast's reach."""
    return st.integers(-760, 120).map(lambda n: as_of + timedelta(days=n))


@st.composite
def credentials(draw, as_of: date) -> dict:
    code = draw(st.sampled_from(PLAIN_CODES + list(LEVELS)))
    issued = draw(near(as_of))
    expires = draw(st.none() | st.integers(0, 900).map(lambda n: issued + timedelta(days=n)))
    status = draw(st.sampled_from(["valid"] * 6 + STATUSES))
    level = draw(st.sampled_from(LEVELS[code])) if code in LEVELS else None
    return cred(code, issued.isoformat(), expires and expires.isoformat(), status, level)


@st.composite
def snapshots(draw) -> dict:
    as_of = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30)))
    staff = []
    for i in range(draw(st.integers(0, 7))):
        positions = draw(
            st.lists(
                st.sampled_from(["director", "caregiver", "health", "security"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
        checked = draw(st.none() | near(as_of))
        staff.append(
            person(
                f"p{i}",
                positions,
                draw(st.lists(credentials(as_of), max_size=4)),
                employment=draw(st.sampled_from(["full_time", "part_time"])),
                education=draw(
                    st.sampled_from(
                        ["below_secondary", "secondary", "associate", "bachelor", "master_or_above"]
                    )
                ),
                years=draw(st.integers(0, 6)),
                health=checked and checked.isoformat(),
                background=draw(st.sampled_from(["clear"] * 4 + ["flagged", "missing"])),
            )
        )
    classes = [
        klass(
            f"C{j}",
            draw(st.sampled_from(["infant", "toddler_small", "toddler_large", "mixed"])),
            draw(st.integers(0, 200 if j == 0 else 22)),
            [],
        )
        for j in range(draw(st.integers(0, 3)))
    ]
    for member in staff:
        if "caregiver" in member["positions"] and classes:
            where = draw(st.integers(-1, len(classes) - 1))
            if where >= 0:
                classes[where]["caregivers"].append(member["id"])
    return facility_with(classes, staff, as_of=as_of.isoformat(), base_staff=False)


@settings(max_examples=150, deadline=None)
@given(snapshots())
def test_report_shape_holds_for_any_snapshot(data):
    snapshot = Snapshot.from_dict(data)
    report = evaluate(snapshot)
    assert tuple(r.code for r in report.rules) == CONTRACT_ORDER
    assert report.compliant is all(r.passed for r in report.rules)
    staff_ids = [s.id for s in snapshot.staff]
    class_codes = [c.code for c in snapshot.classes]
    for r in report.rules:
        order = class_codes if r.code in CLASS_RULES else staff_ids
        # known ids, in snapshot order
        assert list(r.subjects) == [x for x in order if x in r.subjects]
        assert r.message
        if r.passed:
            assert r.subjects == ()
    assert Snapshot.from_dict(snapshot.to_dict()) == snapshot


@settings(max_examples=150, deadline=None)
@given(snapshots(), st.data())
def test_adding_a_qualified_caregiver_never_breaks_the_ratio(data, draw):
    before = run(data).result("CLASS_RATIO")
    if not data["classes"]:
        return
    where = draw.draw(st.integers(0, len(data["classes"]) - 1))
    data["staff"].append(caregiver("extra", health=None))
    data["classes"][where]["caregivers"].append("extra")
    after = run(data).result("CLASS_RATIO")
    assert set(after.subjects) <= set(before.subjects)
    assert after.passed or not before.passed


@st.composite
def lapsing_examples(draw) -> dict:
    """The contract's example with its dates moved so that things lapse and start in reach."""
    data = example()
    as_of = date.fromisoformat(data["as_of"])
    for member in data["staff"]:
        member["health_check_on"] = (
            as_of - timedelta(days=draw(st.integers(-30, 400)))
        ).isoformat()
        for credential in member["credentials"]:
            issued = as_of - timedelta(days=draw(st.integers(-30, 400)))
            credential["issued_on"] = issued.isoformat()
            lasts = draw(st.none() | st.integers(0, 700))
            expiry = None if lasts is None else issued + timedelta(days=lasts)
            credential["expires_on"] = expiry and expiry.isoformat()
    return data


@settings(max_examples=40, deadline=None)
@given(snapshots() | lapsing_examples(), st.integers(0, 500))
def test_forecast_agrees_with_a_day_by_day_walk(data, horizon):
    snapshot = Snapshot.from_dict(data)
    until = snapshot.as_of + timedelta(days=horizon)
    assert [(c.on, c.code) for c in forecast(snapshot, until)] == brute_force(snapshot, until)


@given(st.dates(min_value=date(2019, 10, 8), max_value=date(2090, 1, 1)))
def test_health_check_lasts_a_year_less_a_day(checked):
    through = health_check_valid_through(checked, rules_in_force(checked))
    assert 364 <= (through - checked).days <= 365
    anniversary = through + timedelta(days=1)
    assert anniversary.year == checked.year + 1
    if (checked.month, checked.day) != (2, 29):
        assert (anniversary.month, anniversary.day) == (checked.month, checked.day)
    else:  # Feb 29's anniversary in a common year is Mar 1: valid through Feb 28
        assert (anniversary.month, anniversary.day) == (3, 1)
        assert (through.month, through.day) == (2, 28)
