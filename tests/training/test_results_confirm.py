"""The submit confirmation binds to the exact results, not only their counts: a re-upload
that swaps who passed while keeping the counts makes the confirmed summary stale,
through the API and the page."""
# ruff: noqa: F401, F811 - the session_with fixture is imported from test_results_integrity

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import api_token, login, post_form
from tests.training.test_results_integrity import (
    HEADERS,
    page_digest,
    session_with,
    state_of,
    summary,
    upload,
    xlsx,
)
from training.services.results_summary import results_digest
from training.tables import ExamResult, ExamSession


def passed_by_name(run, sid) -> dict[str, bool]:
    rows = run(ExamResult.select(ExamResult.person.name, ExamResult.passed).where(
        ExamResult.session == sid))
    return {row["person.name"]: bool(row["passed"]) for row in rows}


def test_a_swap_of_who_passed_with_the_same_counts_is_stale_api(client, run, session_with):
    world, sid, people = session_with(2)
    headers = api_token(client, world.staff)
    (id1, n1), (id2, n2) = people
    assert upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 85, 90],
                                              [id2, n2, 50, 90]])).status_code == 200
    shown = summary(client, headers, sid)
    assert len(shown["confirm_digest"]) == 64
    # the provider re-uploads in another tab: the other candidate passes, the counts are equal
    r = upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 50, 90], [id2, n2, 85, 90]]))
    assert r.status_code == 200
    assert r.json()["summary"]["confirm_counts"] == shown["confirm_counts"]
    assert r.json()["summary"]["confirm_digest"] != shown["confirm_digest"]
    r = client.post(f"/api/v1/exam-sessions/{sid}/submit", headers=headers,
                    json={"confirm_digest": shown["confirm_digest"],
                          "confirm_counts": shown["confirm_counts"]})
    assert r.status_code == 409 and r.json()["field"] == "confirm_digest"
    assert r.json()["detail"] == ("成绩汇总已变化（现在：考生 2 人，缺考 0 人，合格 1 人，"
                                  "不合格 1 人），请重新查看汇总并确认后再提交")
    assert state_of(run, sid) == "results_uploaded"
    session = run(ExamSession.select(ExamSession.submitted_at).where(ExamSession.id == sid).first)
    assert session["submitted_at"] is None
    assert passed_by_name(run, sid) == {n1: False, n2: True}
    # a score that changes without changing who passed is stale too
    upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 51, 90]]))
    fresh = r.json()
    r = client.post(f"/api/v1/exam-sessions/{sid}/submit", headers=headers,
                    json={"confirm_digest": summary(client, headers, sid)["confirm_digest"]})
    assert r.status_code == 200 and r.json()["state"] == "submitted", fresh


def test_the_summary_digest_is_the_upload_s_and_the_stored_results(client, run, session_with):
    """The upload's own summary (a file naming every candidate) and the one read back agree."""
    world, sid, people = session_with(3)
    headers = api_token(client, world.staff)
    rows = [[number, name, score, 90] for (number, name), score in zip(
        people, [85.5, 59.99, "缺考"], strict=True)]
    rows[2][3] = "缺考"
    r = upload(client, headers, sid, xlsx([HEADERS, *rows]))
    assert r.json()["summary"]["confirm_digest"] == summary(client, headers, sid)["confirm_digest"]


def test_a_swap_of_who_passed_is_stale_on_the_page(client, run, session_with):
    world, sid, people = session_with(2)
    headers = api_token(client, world.staff)
    (id1, n1), (id2, n2) = people
    upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 85, 90], [id2, n2, 50, 90]]))
    login(client, world.staff)
    page = client.get(f"/training/provider/exams/{sid}/submit").text
    shown = {"candidates": 2, "absent": 0, "passed": 1, "failed": 1,
             "confirm_digest": page_digest(page)}
    upload(client, headers, sid, xlsx([HEADERS, [id1, n1, 50, 90], [id2, n2, 85, 90]]))
    r = post_form(client, f"/training/provider/exams/{sid}/submit", shown)
    assert r.status_code == 409 and "成绩汇总已变化" in r.text
    assert state_of(run, sid) == "results_uploaded"
    # counts alone (an old form without the digest) are not a confirmation
    r = post_form(client, f"/training/provider/exams/{sid}/submit",
                  {k: v for k, v in shown.items() if k != "confirm_digest"})
    assert r.status_code == 422 and "提交前请先查看成绩汇总" in r.text
    assert state_of(run, sid) == "results_uploaded"


_SCORE = st.decimals(min_value=0, max_value=100, places=2)
_RESULT = st.one_of(st.just("absent"), st.tuples(_SCORE, _SCORE, st.booleans()))


@given(st.dictionaries(st.integers(1, 10_000), _RESULT, min_size=1, max_size=8), st.data())
def test_the_digest_changes_with_any_one_result_and_not_with_order(results, data):
    scored = {k: (v[0], v[1], None, v[2]) for k, v in results.items() if v != "absent"}
    absent = [k for k, v in results.items() if v == "absent"]
    digest = results_digest(7, list(results), scored, absent)
    assert digest == results_digest(7, list(reversed(results)), dict(reversed(scored.items())),
                                    list(reversed(absent)))
    # stored values come back from the database as 85.00 or 85: the same result
    assert digest == results_digest(7, list(results), {k: (Decimal(str(t)).quantize(
        Decimal("0.01")), p, r, ok) for k, (t, p, r, ok) in scored.items()}, absent)
    assert digest != results_digest(8, list(results), scored, absent)
    key = data.draw(st.sampled_from(sorted(results)))
    if key in scored:
        theory, practical, review, ok = scored[key]
        changed = data.draw(st.sampled_from(["pass", "theory", "absent"]))
        other = dict(scored)
        gone = list(absent)
        if changed == "pass":
            other[key] = (theory, practical, review, not ok)
        elif changed == "theory":
            other[key] = (theory + Decimal("0.01") if theory < 100 else Decimal(0),
                          practical, review, ok)
        else:
            del other[key]
            gone.append(key)
        assert results_digest(7, list(results), other, gone) != digest
    else:
        assert results_digest(7, list(results), {**scored, key: (Decimal(0), Decimal(0), None,
                                                                 False)},
                              [k for k in absent if k != key]) != digest
