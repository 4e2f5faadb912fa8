"""Demo data: 宁河区职业技能培训学校 (assessment body S) linked to the demo user ``provider``;
courses open, running and finished; the demo trainee's enrolments with class hours; an open
exam session; and a 五级 exam session whose results are submitted for approval, so the
certification demo can approve it and issue the certificates."""

from __future__ import annotations

from datetime import date, time, timedelta

from core.actor import Actor
from core.clock import now, today
from core.demo import demo_id_number
from core.people import PersonInput, find_or_create_person
from core.tables import User
from training import states as s
from training.services import enrolment, exams, hours, providers, results, results_summary
from training.services.courses import CourseInput, create_course, transition
from training.tables import ExamRegistration, ExamSession

PROVIDER_NAME = "宁河区职业技能培训学校"
PROVIDER_USCC = "52120221MJ00000012"  # passes the GB 32100 check
CANDIDATES = ("周丽", "吴静", "郑敏", "冯娟", "陈艳", "褚秀英")


async def _user(username: str) -> dict | None:
    return await User.select(User.id, User.username, User.role, User.person).where(
        User.username == username).first()


async def seed_training(system: Actor) -> None:
    hrss, staff_user, trainee = await _user("hrss"), await _user("provider"), \
        await _user("trainee")
    if hrss is None or staff_user is None:
        return
    officer = Actor(hrss["id"], hrss["username"], hrss["role"])
    scopes = [providers.ScopeInput("CHILDCARE_WORKER", lvl, scope)
              for lvl in (5, 4, 3) for scope in (s.SCOPE_TRAIN, s.SCOPE_EXAMINE)]
    scopes += [providers.ScopeInput(code, None, s.SCOPE_TRAIN)
               for code in ("DIRECTOR_TRAINING", "CAREGIVER_TRAINING", "MENTAL_HEALTH_TRAINING")]
    provider_id = await providers.create_provider(providers.ProviderInput(
        name=PROVIDER_NAME, uscc=PROVIDER_USCC, address="天津市宁河区芦台镇光明路 18 号",
        contact_name="张老师", contact_phone="13820005678", is_assessment_body=True,
        body_type="S", body_code="0602", site_serial="000101", scopes=scopes), officer)
    await providers.set_status(provider_id, s.PROVIDER_APPROVED, "", officer)
    await User.update({User.organisation_id: provider_id}).where(User.id == staff_user["id"])
    staff = Actor(staff_user["id"], "provider", "provider_staff", organisation_id=provider_id)
    me = Actor(trainee["id"], "trainee", "trainee", person_id=trainee["person"]) \
        if trainee else None
    day = today()

    async def course(title: str, code: str, level: int | None, start: date, days: int,
                     theory: int, practical: int, fee: int, kind: str = "skill") -> int:
        return await create_course(CourseInput(
            kind=kind, title=title, qualification_code=code, level=level,
            theory_hours_required=theory, practical_hours_required=practical, capacity=30,
            starts_on=start, ends_on=start + timedelta(days=days),
            place="宁河区职业技能培训学校 2 号楼", fee_fen=fee, subsidy_eligible=kind == "skill",
            description="面向托育机构从业人员，理论与实操结合。"), staff)

    # finished: the demo trainee completed it (the course route to the 四级 exam)
    done = await course("2026 年春季保育师四级（中级工）培训班", "CHILDCARE_WORKER", 4,
                        day - timedelta(days=90), 40, 4, 2, 180000)
    # running: the trainee is attending, some hours recorded
    running = await course("托育机构负责人岗位培训（第 3 期）", "DIRECTOR_TRAINING", None,
                           day - timedelta(days=10), 30, 8, 4, 80000, kind="training")
    # open for enrolment
    open_ids = [await course(f"保育师{name}培训班（2026 年秋季第 {n} 期）", "CHILDCARE_WORKER", lvl,
                             day + timedelta(days=14 + 7 * n), 45, 6 * (6 - lvl), 4 * (6 - lvl),
                             100000 + 50000 * (5 - lvl))
                for n, (lvl, name) in enumerate([(5, "五级"), (4, "四级"), (3, "三级")], start=1)]
    open_ids.append(await course("心理健康知识培训（线下）", "MENTAL_HEALTH_TRAINING", None,
                                 day + timedelta(days=20), 2, 4, 0, 0, kind="training"))
    for cid in (done, running, *open_ids):
        await transition(cid, s.COURSE_OPEN, staff)
    await course("保育师五级培训班（筹备中）", "CHILDCARE_WORKER", 5, day + timedelta(days=60),
                 30, 20, 10, 100000)  # stays a draft: not in the public catalogue
    if me is not None:
        for cid in (done, running):
            eid = await enrolment.apply(cid, me)
            await enrolment.decide(eid, "accept", "", staff)
        await enrolment.apply(open_ids[2], me)
    for cid in (done, running):
        await transition(cid, s.COURSE_RUNNING, staff)
    if me is not None:
        done_e = (await enrolment.course_enrolments(done, staff))[0].id
        run_e = (await enrolment.course_enrolments(running, staff))[0].id
        start = day - timedelta(days=90)
        for offset, kind, n, (begin, end) in ((1, "theory", 4, (time(9), time(12))),
                                              (2, "practical", 2, (time(13, 30), time(15)))):
            await hours.record_session(done, start + timedelta(days=offset), kind, n,
                                       "婴幼儿生活照料与安全", {done_e}, staff,
                                       starts_at=begin, ends_at=end)
        await hours.complete(done_e, staff)
        await hours.record_session(running, day - timedelta(days=9), "theory", 4,
                                   "托育政策法规与机构管理", {run_e}, staff,
                                   starts_at=time(9), ends_at=time(12))
    await transition(done, s.COURSE_FINISHED, staff)

    await exams.create_session("CHILDCARE_WORKER", 4, day + timedelta(days=30),
                               "宁河区职业技能培训学校 实操考场", staff)
    open_session = (await ExamSession.select(ExamSession.id).where(
        ExamSession.provider == provider_id).first())["id"]
    await exams.move(open_session, "open", staff)
    await _submitted_session(provider_id, staff, system)


async def _submitted_session(provider_id: int, staff: Actor, system: Actor) -> None:
    """A 五级 exam held last week: candidates confirmed, results uploaded and submitted."""
    at = now()
    session = ExamSession(provider=provider_id, qualification_code="CHILDCARE_WORKER", level=5,
                          exam_on=today() - timedelta(days=7),
                          place="宁河区职业技能培训学校 实操考场",
                          state=s.EXAM_CLOSED, created_at=at, updated_at=at)
    await session.save()
    lines = ["身份证号,姓名,理论成绩,实操成绩"]
    for n, name in enumerate(CANDIDATES):
        number = demo_id_number(f"1202211995011{n:01d}1{n:02d}")
        person = await find_or_create_person(PersonInput("居民身份证", number, name), system)
        await ExamRegistration.insert(ExamRegistration(
            session=session.id, person=person.id, route=s.ROUTE_CONDITIONS, eligible=True,
            eligibility={"met": "从事本职业或相关职业工作 1 年及以上", "route": "conditions",
                         "relies_on_declared": True, "declared": ["work_years"]},
            evidence_note="劳动合同及社保缴费记录已核（演示）",
            status=s.REG_CONFIRMED, confirmed_at=at, confirmed_by=staff.user_id, created_at=at))
        theory, practical = (86, 78) if n != 3 else (55, 70)  # one candidate fails
        lines.append(f"{number},{name},{theory + n},{practical + n}")
    outcome = await results.upload_results(session.id, "\n".join(lines).encode(), "成绩.csv",
                                           staff)
    assert outcome.ok, outcome.errors
    summary = await results_summary.results_summary(session.id)  # the results confirmed
    await exams.move(session.id, "submit", staff, summary.counts(), summary.digest)
