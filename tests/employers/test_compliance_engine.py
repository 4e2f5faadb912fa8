"""The staffing compliance engine: the contract's example, each rule, its edges, rules data."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from employers.compliance.engine import RULE_CODES, evaluate, evaluate_dict
from employers.compliance.qualifications import health_check_valid_through
from employers.compliance.rules import load_rule_book, rules_in_force
from employers.compliance.snapshot import Snapshot
from tests.employers.compliance_builders import (
    AS_OF,
    CONTRACT_ORDER,
    caregiver,
    cred,
    example,
    facility_with,
    failing,
    guard,
    health,
    klass,
    person,
    run,
)

# --- the contract's example and the report shape ----------------------------------------------


def test_contract_example_is_compliant_with_eight_rules_in_order():
    report = evaluate_dict(example())
    assert report["compliant"] is True
    assert report["as_of"] == AS_OF
    assert [r["code"] for r in report["rules"]] == list(CONTRACT_ORDER) == list(RULE_CODES)
    for rule in report["rules"]:
        assert set(rule) == {"code", "status", "message", "subjects"}
        assert rule["status"] == "pass" and rule["subjects"] == [] and rule["message"]


def test_report_round_trips_through_json():
    report = run(example())
    assert json.loads(report.to_json()) == report.to_dict()


# --- each rule failing on its own -------------------------------------------------------------


def with_staff(change) -> dict:
    data = example()
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["staff"].pop(0), {"DIRECTOR": []}),
        (lambda d: d["staff"][0].update(education="secondary"), {"DIRECTOR": ["d1"]}),
        (lambda d: d["staff"][0].update(management_years=2), {"DIRECTOR": ["d1"]}),
        (
            lambda d: d["staff"][0]["credentials"][0].update(expires_on="2026-11-28"),
            {"DIRECTOR": ["d1"]},
        ),
        (
            lambda d: (
                d["classes"][0].update(children=11, caregivers=["s1", "s2", "s3", "s4"])
                or d["staff"].extend([caregiver("s3"), caregiver("s4")])
            ),
            {"CLASS_SIZE": ["A1"]},
        ),
        (lambda d: d["classes"][0].update(children=7), {"CLASS_RATIO": ["A1"]}),
        (
            lambda d: d["staff"].append(person("s9", ["caregiver"], [cred("CAREGIVER_TRAINING")])),
            {"CAREGIVER_QUALIFIED": ["s9"]},
        ),
        (lambda d: d["staff"][3].update(education="below_secondary"), {"HEALTH_STAFF": ["h1"]}),
        (lambda d: d["staff"].pop(3), {"HEALTH_STAFF": []}),
        (lambda d: d["staff"].pop(4), {"SECURITY": []}),
        (lambda d: d["staff"][4]["credentials"][0].update(status="revoked"), {"SECURITY": ["g1"]}),
        (lambda d: d["staff"][1].update(health_check_on=None), {"HEALTH_CHECK": ["s1"]}),
        (
            lambda d: (
                d["staff"][4].update(background_check="flagged")
                or d["staff"][1].update(background_check="missing")
            ),
            {"BACKGROUND": ["s1", "g1"]},
        ),
    ],
)
def test_each_rule_fails_on_its_own_with_its_subjects(change, expected):
    report = run(with_staff(change))
    assert failing(report) == expected
    assert report.compliant is False


def test_ratio_message_says_what_is_needed_and_what_there_is():
    report = run(with_staff(lambda d: d["classes"][0].update(children=7)))
    assert report.result("CLASS_RATIO").message.startswith(
        "乳儿班 A1 有 7 名婴幼儿，需要至少 3 名合格保育人员，现有 2 名"
    )


def test_director_message_names_each_shortfall():
    data = with_staff(lambda d: d["staff"][0].update(education="secondary", management_years=1))
    message = run(data).result("DIRECTOR").message
    assert "赵敏（d1）" in message and "需要大专及以上" in message and "至少 3 年" in message


def test_unqualified_assigned_caregiver_does_not_count_towards_the_ratio():
    # 李娜 loses her mental-health training
    data = with_staff(lambda d: d["staff"][2]["credentials"].pop(1))
    assert failing(run(data)) == {"CLASS_RATIO": ["A1"], "CAREGIVER_QUALIFIED": ["s2"]}


@pytest.mark.parametrize("code", ["CHILDCARE_WORKER", "INFANT_CARER", "INFANT_DEVELOPMENT_GUIDE"])
def test_any_skill_certificate_replaces_caregiver_training(code):
    member = person("s1", ["caregiver"], [cred(code, level=4), cred("MENTAL_HEALTH_TRAINING")])
    report = run(facility_with([klass("A1", "toddler_small", 5, ["s1"])], [member]))
    assert report.compliant


def test_person_in_two_positions_is_judged_for_both():
    both = person(
        "d1", ["director", "caregiver"], [cred("DIRECTOR_TRAINING")], education="bachelor", years=5
    )
    data = facility_with([], [both], base_staff=False)
    data["staff"] += [health(), guard()]
    assert failing(run(data)) == {"CAREGIVER_QUALIFIED": ["d1"]}


def test_empty_facility_is_valid_and_fails_only_the_rules_that_demand_someone():
    data = facility_with([], base_staff=False)
    report = run(data)
    assert failing(report) == {"DIRECTOR": [], "HEALTH_STAFF": [], "SECURITY": []}
    assert "没有负责人" in report.result("DIRECTOR").message


def test_no_classes_with_staff_is_compliant():
    assert run(facility_with([])).compliant


# --- dates at the edge ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("checked", "as_of", "counts"),
    [
        ("2025-11-30", "2026-11-29", True),  # a year later minus one day: last valid day
        ("2025-11-29", "2026-11-29", False),  # the anniversary itself: lapsed
        ("2026-11-29", "2026-11-29", True),  # checked today
        ("2026-11-30", "2026-11-29", False),  # dated tomorrow
        ("2024-02-29", "2025-02-28", True),  # Feb 29's anniversary is Mar 1: through Feb 28
        ("2024-02-29", "2025-03-01", False),
        ("2024-03-01", "2025-02-28", True),  # same last day as a check on Feb 29
        ("2024-03-01", "2025-03-01", False),
        ("2024-02-28", "2025-02-27", True),
        ("2024-02-28", "2025-02-28", False),
        ("2023-03-01", "2024-02-29", True),
        ("2023-03-01", "2024-03-01", False),
    ],
)
def test_health_check_valid_through_the_day_before_the_anniversary(checked, as_of, counts):
    data = facility_with([], as_of=as_of)
    data["staff"][0]["health_check_on"] = checked
    assert ("d1" not in run(data).result("HEALTH_CHECK").subjects) is counts


def test_health_check_valid_through_feb_29():
    rules = rules_in_force(date(2024, 3, 1))
    assert health_check_valid_through(date(2024, 2, 29), rules) == date(2025, 2, 28)
    assert health_check_valid_through(date(2024, 3, 1), rules) == date(2025, 2, 28)
    assert health_check_valid_through(date(2025, 11, 30), rules) == date(2026, 11, 29)


@pytest.mark.parametrize(
    ("issued", "expires", "status", "counts"),
    [
        ("2025-06-01", AS_OF, "valid", True),  # expiring on as_of still counts
        ("2025-06-01", "2026-11-28", "valid", False),  # expired yesterday
        (AS_OF, None, "valid", True),  # issued today
        ("2026-11-30", None, "valid", False),  # issued tomorrow
        ("2025-06-01", None, "suspended", False),
        ("2025-06-01", None, "superseded", False),
        ("2025-06-01", None, "expired", False),
    ],
)
def test_credential_counts_on_as_of(issued, expires, status, counts):
    data = facility_with([])
    data["staff"][2]["credentials"] = [cred("SECURITY_LICENSE", issued, expires, status)]
    assert ("SECURITY" not in failing(run(data))) is counts


def test_message_explains_why_a_held_credential_does_not_count():
    data = facility_with([])
    data["staff"][2]["credentials"] = [cred("SECURITY_LICENSE", "2020-01-01", "2026-06-30")]
    assert "已于 2026-06-30 到期" in run(data).result("SECURITY").message


def test_as_of_on_the_first_version_day_is_valid():
    assert run(facility_with([], as_of="2019-10-08")).as_of == date(2019, 10, 8)


# --- ratios and caps at the edge --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "children", "caregivers", "ok"),
    [
        ("infant", 6, 2, True),
        ("infant", 7, 2, False),
        ("infant", 7, 3, True),
        ("toddler_small", 5, 1, True),
        ("toddler_small", 6, 1, False),
        ("toddler_large", 7, 1, True),
        ("toddler_large", 8, 1, False),
        ("mixed", 10, 2, True),
        ("mixed", 11, 2, False),
        ("infant", 0, 0, True),
    ],
)
def test_caregiver_ratio_at_the_edge(kind, children, caregivers, ok):
    ids = [f"s{i}" for i in range(caregivers)]
    data = facility_with([klass("A1", kind, children, ids)], [caregiver(i) for i in ids])
    assert ("CLASS_RATIO" not in failing(run(data))) is ok


@pytest.mark.parametrize(
    ("kind", "cap"),
    [
        ("infant", 10),
        ("toddler_small", 15),
        ("toddler_large", 20),
        ("mixed", 18),
    ],
)
def test_class_cap_at_the_edge(kind, cap):
    ids = [f"s{i}" for i in range(10)]
    staff = [caregiver(i) for i in ids]
    at_cap = run(facility_with([klass("A1", kind, cap, ids)], staff))
    over = run(facility_with([klass("A1", kind, cap + 1, ids)], staff))
    assert at_cap.compliant
    assert failing(over) == {"CLASS_SIZE": ["A1"]}
    assert f"最多 {cap} 名" in over.result("CLASS_SIZE").message


# --- health staff around 150 children ---------------------------------------------------------


def health_outcome(children: int, health_staff: list[dict]) -> bool:
    data = facility_with([klass("B1", "mixed", children, [])])
    data["staff"] = [s for s in data["staff"] if s["id"] != "h1"] + health_staff
    return "HEALTH_STAFF" not in failing(run(data))


@pytest.mark.parametrize(
    ("children", "staff", "ok"),
    [
        (149, [health(employment="part_time")], True),
        (150, [health(employment="part_time")], False),
        (150, [health()], True),
        (150, [person("h1", ["health", "caregiver"], [cred("HEALTH_CARE_TRAINING")])], False),
        (151, [health()], False),
        (151, [health("h1"), health("h2")], True),
        (151, [health("h1"), health("h2", employment="part_time")], False),
        (300, [health("h1"), health("h2")], True),
        (301, [health("h1"), health("h2")], False),
        (0, [], False),
        (0, [health(employment="part_time")], True),
        (10, [health(education="below_secondary")], False),
        (10, [health("h1"), person("h2", ["health"], [])], False),
    ],
)
def test_health_staff_around_150_children(children, staff, ok):
    assert health_outcome(children, staff) is ok


def test_health_staff_shortfall_message_and_subjects():
    data = facility_with([klass("B1", "mixed", 160, [])])
    data["staff"][1]["employment"] = "part_time"
    data["staff"].append(person("h2", ["health"], []))
    result = run(data).result("HEALTH_STAFF")
    assert result.subjects == ("h2",)
    assert "共有 160 名婴幼儿，需要至少 2 名合格的专职卫生保健人员" in result.message


# --- rules data -------------------------------------------------------------------------------


def test_shipped_rules_match_the_facility_standard():
    rules = rules_in_force(date(2026, 11, 29))
    caps = {c: (t.max_children, t.children_per_caregiver) for c, t in rules.class_types.items()}
    assert caps == {
        "infant": (10, 3),
        "toddler_small": (15, 5),
        "toddler_large": (20, 7),
        "mixed": (18, 5),
    }
    assert rules.full_time_health_from_children == rules.children_per_full_time_health == 150
    assert rules.effective_from == load_rule_book().first_effective == date(2019, 10, 8)
    assert rules.credentials["INFANT_CARER"].levels == (3, 4, 5)
    assert rules.credentials["INFANT_DEVELOPMENT_GUIDE"].levels == (1, 2, 3, 4)
    assert rules.sources


def test_a_later_rules_version_applies_from_its_effective_date(tmp_path):
    from employers.compliance.rules import RULES_FILE, rule_book_from_dict

    raw = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    stricter = copy.deepcopy(raw["versions"][0])
    stricter["effective_from"] = "2027-01-01"
    stricter["class_types"][0]["max_children"] = 8
    book = rule_book_from_dict({"versions": [stricter, raw["versions"][0]]})
    data = example()
    data["classes"][0]["children"] = 9
    data["classes"][0]["caregivers"] = ["s1", "s2"]
    data["staff"].append(caregiver("s3"))
    data["classes"][0]["caregivers"].append("s3")
    before = Snapshot.from_dict(data, book)
    after = Snapshot.from_dict({**data, "as_of": "2027-01-01"}, book)
    assert evaluate(before, book.in_force(before.as_of)).compliant
    assert failing(evaluate(after, book.in_force(after.as_of))) == {"CLASS_SIZE": ["A1"]}
