"""``python -m employers.compliance``: exit codes, stdout/stderr, and every invalid snapshot."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import ValidationError
from employers.compliance.__main__ import main
from employers.compliance.snapshot import Snapshot
from tests.employers.compliance_builders import (
    EXAMPLES,
    caregiver,
    cred,
    example,
    health_checked,
    klass,
)

ROOT = Path(__file__).parents[2]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "employers.compliance", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


# --- exit codes through a real process ---------------------------------------------------------


def test_compliant_snapshot_from_stdin_exits_0_with_the_report():
    done = cli("-", stdin=(EXAMPLES / "compliant.json").read_bytes())
    assert done.returncode == 0, done.stderr.decode()
    assert "负责人".encode() in done.stdout  # UTF-8, not \\u escapes
    report = json.loads(done.stdout.decode("utf-8"))
    assert report["compliant"] is True and len(report["rules"]) == 8
    assert done.stderr == b""


def test_failing_snapshot_exits_1_and_names_the_class():
    data = example()
    data["classes"][0]["children"] = 7
    done = cli("-", stdin=json.dumps(data, ensure_ascii=False).encode("utf-8"))
    assert done.returncode == 1
    report = json.loads(done.stdout)
    ratio = next(r for r in report["rules"] if r["code"] == "CLASS_RATIO")
    assert ratio == {**ratio, "status": "fail", "subjects": ["A1"]}
    assert report["compliant"] is False


def test_invalid_snapshot_exits_2_with_nothing_on_stdout():
    done = cli(str(EXAMPLES / "invalid_infant_carer_level.json"))
    assert done.returncode == 2
    assert done.stdout == b""
    assert "staff[2].credentials[0].level: 育婴员只有三级至五级" in done.stderr.decode("utf-8")


@pytest.mark.parametrize(
    ("as_of", "lapsed"),
    [("2025-02-27", []), ("2025-02-28", ["s1"]), ("2025-03-01", ["d1", "s1", "s2"])],
)
def test_health_check_on_feb_29_is_valid_through_feb_28_like_one_on_mar_1(as_of, lapsed, tmp_path):
    # d1 checked on Feb 29 and s2 on Mar 1 share their last valid day, 2025-02-28 (their
    # anniversary is Mar 1); s1 checked on Feb 28 ends a day earlier.
    data = health_checked(example(), as_of, d1="2024-02-29", s1="2024-02-28", s2="2024-03-01",
                          h1="2025-01-10", g1="2025-01-10")
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = cli(str(path))
    assert done.returncode in (0, 1), done.stderr.decode()
    rule = next(r for r in json.loads(done.stdout)["rules"] if r["code"] == "HEALTH_CHECK")
    assert rule["subjects"] == lapsed
    if "d1" in lapsed:
        assert "（d1）的健康检查（2024-02-29）有效期至 2025-02-28" in rule["message"]
    if "s1" in lapsed:
        assert "（2024-02-28）有效期至 2025-02-27" in rule["message"]


@pytest.mark.parametrize(
    ("name", "code", "failing"),
    [
        ("compliant.json", 0, []),
        ("fails_class_ratio.json", 1, ["CLASS_RATIO"]),
        ("fails_health_check.json", 1, ["HEALTH_CHECK"]),
        ("fails_health_staff_and_ratio.json", 1, ["CLASS_RATIO", "HEALTH_STAFF"]),
    ],
)
def test_shipped_examples(name, code, failing, capsysbinary):
    assert main([str(EXAMPLES / name)]) == code
    report = json.loads(capsysbinary.readouterr().out)
    assert [r["code"] for r in report["rules"] if r["status"] == "fail"] == failing


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        (b"{not json", "JSON"),
        (b"", "JSON"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"[1, 2]", "snapshot"),
        (b"null", "snapshot"),
    ],
)
def test_unparseable_input_exits_2(payload, needle):
    done = cli("-", stdin=payload)
    assert (done.returncode, done.stdout) == (2, b"")
    message = done.stderr.decode("utf-8")
    assert needle in message and CHINESE.search(message)


def test_missing_file_and_bad_usage_exit_2(tmp_path, capsysbinary):
    assert main([str(tmp_path / "absent.json")]) == 2
    assert main([]) == 2
    assert main(["a.json", "b.json"]) == 2
    out = capsysbinary.readouterr()
    assert out.out == b""
    assert "无法读取快照文件" in out.err.decode("utf-8")


# --- every invalid case named by the contract ---------------------------------------------------


def _set(path: str, value):
    """A mutation setting ``path`` (dots and [i]) to value; value ``...`` deletes the key."""

    def change(data: dict) -> None:
        parts = re.findall(r"[^.\[\]]+", path)
        target = data
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = int(parts[-1]) if parts[-1].isdigit() else parts[-1]
        if value is ...:
            del target[last]
        else:
            target[last] = value

    return change


def _two_classes(second_caregivers: list[str]):
    def change(data: dict) -> None:
        data["classes"].append(klass("B1", "toddler_small", 3, second_caregivers))

    return change


INVALID = [
    (_set("as_of", ...), "as_of"),
    (_set("as_of", "2026-02-30"), "as_of"),
    (_set("as_of", "2026/11/29"), "as_of"),
    (_set("as_of", "20261129"), "as_of"),
    (_set("as_of", "2026-11-29T00:00:00"), "as_of"),
    (_set("as_of", 20261129), "as_of"),
    (_set("as_of", "2019-10-07"), "as_of"),
    (_set("as_of", "2100-01-01"), "as_of"),
    (_set("staff.0.credentials.0.issued_on", "0001-01-01"), "staff[0].credentials[0].issued_on"),
    (_set("staff.0.credentials.0.expires_on", "9999-12-31"),
     "staff[0].credentials[0].expires_on"),
    (_set("facility", ...), "facility"),
    (_set("facility", "宁河"), "facility"),
    (_set("facility.uscc", "91350100M000100Y44"), "facility.uscc"),
    (_set("facility.uscc", "91350100M000100Y"), "facility.uscc"),
    (_set("facility.uscc", None), "facility.uscc"),
    (_set("classes", {}), "classes"),
    (_set("staff", ...), "staff"),
    (_set("classes.0.type", "nursery"), "classes[0].type"),
    (_set("classes.0.children", -1), "classes[0].children"),
    (_set("classes.0.children", 6.0), "classes[0].children"),
    (_set("classes.0.children", True), "classes[0].children"),
    (_set("classes.0.children", "6"), "classes[0].children"),
    (_set("classes.0.caregivers", ["s1", "s1"]), "classes[0].caregivers[1]"),
    (_set("classes.0.caregivers", ["s1", "nobody"]), "classes[0].caregivers[1]"),
    (_set("classes.0.caregivers", ["s1", "d1"]), "classes[0].caregivers[1]"),
    (_two_classes(["s2"]), "classes[1].caregivers[0]"),
    (lambda d: d["classes"].append(klass("A1", "infant", 0, [])), "classes[1].code"),
    (_set("staff.1.id", "d1"), "staff[1].id"),
    (_set("staff.0", "赵敏"), "staff[0]"),
    (_set("staff.0.positions", []), "staff[0].positions"),
    (_set("staff.0.positions", ["principal"]), "staff[0].positions[0]"),
    (_set("staff.0.positions", ["director", "director"]), "staff[0].positions[1]"),
    (_set("staff.0.positions", "director"), "staff[0].positions"),
    (_set("staff.0.employment", "contract"), "staff[0].employment"),
    (_set("staff.0.education", "phd"), "staff[0].education"),
    (_set("staff.0.management_years", 2.5), "staff[0].management_years"),
    (_set("staff.0.management_years", 5.0), "staff[0].management_years"),
    (_set("staff.0.management_years", False), "staff[0].management_years"),
    (_set("staff.0.management_years", -1), "staff[0].management_years"),
    (_set("staff.0.health_check_on", "2026-13-01"), "staff[0].health_check_on"),
    (_set("staff.0.health_check_on", ...), "staff[0].health_check_on"),
    (_set("staff.0.background_check", "unknown"), "staff[0].background_check"),
    (_set("staff.0.credentials.0.code", "FIRST_AID"), "staff[0].credentials[0].code"),
    (_set("staff.0.credentials.0.level", 3), "staff[0].credentials[0].level"),
    (_set("staff.0.credentials.0.status", "active"), "staff[0].credentials[0].status"),
    (_set("staff.0.credentials.0.issued_on", "2024-5-1"), "staff[0].credentials[0].issued_on"),
    (_set("staff.0.credentials.0.expires_on", "2024-04-30"), "staff[0].credentials[0].expires_on"),
    (_set("staff.2.credentials.0.level", ...), "staff[2].credentials[0].level"),
    (_set("staff.2.credentials.0.level", 6), "staff[2].credentials[0].level"),
    (_set("staff.2.credentials.0.level", 4.0), "staff[2].credentials[0].level"),
    (_set("staff.2.credentials.0.level", True), "staff[2].credentials[0].level"),
    (_set("staff.2.credentials.0", cred("INFANT_CARER", level=2)), "staff[2].credentials[0].level"),
    (
        _set("staff.2.credentials.0", cred("INFANT_DEVELOPMENT_GUIDE", level=5)),
        "staff[2].credentials[0].level",
    ),
]


@pytest.mark.parametrize(("change", "field"), INVALID)
def test_invalid_snapshot_is_refused_naming_the_field(change, field, tmp_path, capsysbinary):
    data = example()
    change(data)
    with pytest.raises(ValidationError) as raised:
        Snapshot.from_dict(data)
    assert raised.value.field == field
    (tmp_path / "snapshot.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main([str(tmp_path / "snapshot.json")]) == 2
    out = capsysbinary.readouterr()
    assert out.out == b""
    message = out.err.decode("utf-8")
    assert f"{field}: " in message and CHINESE.search(message)


def test_infant_carer_level_message():
    data = example()
    data["staff"][2]["credentials"][0] = cred("INFANT_CARER", level=2)
    with pytest.raises(
        ValidationError, match=r"staff\[2\]\.credentials\[0\]\.level: 育婴员只有三级至五级"
    ):
        Snapshot.from_dict(data)


@pytest.mark.parametrize(
    "change",
    [
        _set("extra", {"anything": 1}),
        _set("facility.address", "芦台街"),
        _set("classes.0.room", 3),
        _set("staff.0.phone", "13800000000"),
        _set("staff.0.credentials.0.scan", "x.pdf"),
        _set("staff.0.credentials.0.expires_on", "2024-05-01"),  # expiring on its issue day
        _set("staff.0.credentials.0.level", None),
        _set("staff.0.health_check_on", None),
        _set("as_of", "2028-02-29"),
        _set("as_of", "2019-10-08"),
        _set("classes", []),
        _set("staff.1.positions", ["caregiver", "health"]),
        lambda d: d["staff"].append(caregiver("s3")),  # an unassigned caregiver
    ],
)
def test_valid_variants_are_accepted(change):
    data = example()
    change(data)
    Snapshot.from_dict(data)
