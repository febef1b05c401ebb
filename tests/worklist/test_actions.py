"""The rules of the work list app, through its actions (PostgreSQL)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from community.choices import DepartmentCode, Role, ScopeLevel
from tests import factories as f
from tests.worklist import factories as wf
from worklist import actions
from worklist.choices import AssignmentStatus, CommunityRole, FeedbackKind, IssuerKind, ReminderKind
from worklist.models import (
    AssignmentTransition,
    HandedTask,
    ListException,
    SupportRequest,
    TaskAssignment,
    TaskReminder,
    WorkListItem,
)

pytestmark = pytest.mark.django_db

S = AssignmentStatus


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here; test_messages_in_chinese checks the catalogue."""
    with translation.override("en"):
        yield


def test_messages_in_chinese(cadre, item, community_a, today):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            hand_down(cadre, [community_a], work_item=item, deadline=today - dt.timedelta(days=1))
        assert "已过" in caught.value.message_dict["deadline"][0]
        with pytest.raises(ValidationError) as caught:
            hand_down(cadre, [community_a], deadline=today)
        assert "社区工作事项清单" in caught.value.message_dict["work_item"][0]
        assert str(S.RECEIVED.label) == "已收到" and str(S.IN_PROGRESS.label) == "办理中"


def nothing_written():
    return not HandedTask.objects.exists() and not TaskAssignment.objects.exists()


def hand_down(by, communities, **extra):
    defaults = {"title": "低保入户核查", "deadline": dt.date.today() + dt.timedelta(days=7), "office": "民政办"}
    defaults.update(extra)
    return actions.handed_task_create(by=by, communities=communities, **defaults)


# --- handing down ---------------------------------------------------------------------------------


def test_town_hands_a_task_to_many_communities(cadre, item, community_a, community_b, deadline):
    task = hand_down(cadre, [community_a, community_b, community_a], work_item=item, deadline=deadline)
    assert task.issuer_kind == IssuerKind.TOWN and task.town == cadre.town and task.county == community_a.town.county
    assignments = TaskAssignment.objects.filter(task=task).order_by("community__code")
    assert [a.community for a in assignments] == [community_a, community_b]  # one per community, no duplicate
    assert {a.status for a in assignments} == {S.RECEIVED}
    steps = AssignmentTransition.objects.filter(assignment__task=task)
    assert steps.count() == 2 and {(s.old, s.new, s.by_id) for s in steps} == {("", S.RECEIVED, cadre.pk)}


def test_no_list_item_and_no_exception_is_refused(cadre, community_a, deadline):
    with pytest.raises(ValidationError) as caught:
        hand_down(cadre, [community_a], deadline=deadline)
    assert "work_item" in caught.value.message_dict
    assert "work list" in caught.value.message_dict["work_item"][0]
    assert nothing_written()


def test_item_marked_not_for_the_community_needs_an_exception(cadre, county, community_a, deadline):
    excluded = wf.work_item(county, role=CommunityRole.EXCLUDED)
    with pytest.raises(ValidationError) as caught:
        hand_down(cadre, [community_a], work_item=excluded, deadline=deadline)
    assert "must not be burdened" in caught.value.message_dict["work_item"][0]
    assert nothing_written()


def test_item_no_longer_in_force_is_refused(cadre, county, community_a, deadline, today):
    expired = wf.work_item(county, valid_from=dt.date(2020, 1, 1), valid_until=today - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        hand_down(cadre, [community_a], work_item=expired, deadline=deadline)
    assert "not in force" in caught.value.message_dict["work_item"][0]
    assert nothing_written()


def test_item_of_another_county_is_refused(cadre, community_a, far_community, deadline):
    foreign = wf.work_item(far_community.town.county)
    with pytest.raises(ValidationError) as caught:
        hand_down(cadre, [community_a], work_item=foreign, deadline=deadline)
    assert "another county" in caught.value.message_dict["work_item"][0]


def test_deadline_in_the_past_is_refused(cadre, item, community_a, today):
    with pytest.raises(ValidationError) as caught:
        hand_down(cadre, [community_a], work_item=item, deadline=today - dt.timedelta(days=1))
    assert "already passed" in caught.value.message_dict["deadline"][0]
    assert nothing_written()
    # today itself is allowed
    assert hand_down(cadre, [community_a], work_item=item, deadline=today).deadline == today


def test_number_feedback_needs_its_label(cadre, item, community_a, deadline):
    with pytest.raises(ValidationError) as caught:
        hand_down(cadre, [community_a], work_item=item, deadline=deadline, feedback_kind=FeedbackKind.NUMBER)
    assert "feedback_label" in caught.value.message_dict
    assert nothing_written()


def test_no_community_is_refused(cadre, item, deadline):
    with pytest.raises(ValidationError) as caught:
        hand_down(cadre, [], work_item=item, deadline=deadline)
    assert "communities" in caught.value.message_dict


def test_community_outside_the_town_is_refused_and_nothing_written(cadre, item, community_a, community_c, deadline):
    with pytest.raises(PermissionDenied) as caught:
        hand_down(cadre, [community_a, community_c], work_item=item, deadline=deadline)
    assert community_c.name in str(caught.value) and "outside the issuer's scope" in str(caught.value)
    assert nothing_written()


def test_department_reaches_its_county_only(liaison, item, community_a, community_c, far_community, deadline):
    task = hand_down(liaison, [community_a, community_c], work_item=item, deadline=deadline)
    assert task.issuer_kind == IssuerKind.DEPARTMENT and task.department == liaison.department
    assert task.assignments.count() == 2
    with pytest.raises(PermissionDenied):
        hand_down(liaison, [far_community], work_item=item, deadline=deadline, title="另一项")
    assert HandedTask.objects.count() == 1


def test_community_staff_cannot_hand_tasks_down(staff_a, item, community_a, deadline):
    with pytest.raises(PermissionDenied):
        hand_down(staff_a, [community_a], work_item=item, deadline=deadline)
    assert nothing_written()


def test_town_cannot_issue_for_a_department(cadre, item, civil_affairs, community_a, deadline):
    with pytest.raises(PermissionDenied):
        hand_down(
            cadre,
            [community_a],
            work_item=item,
            deadline=deadline,
            issuer_kind=IssuerKind.DEPARTMENT,
            department=civil_affairs,
        )
    assert nothing_written()


def test_exception_approved_by_a_county_official_only(cadre, official, county, community_a, deadline):
    with pytest.raises(PermissionDenied):
        actions.list_exception_approve(by=cadre, county=county, title="文明城市问卷", reason="时限紧")
    with pytest.raises(ValidationError) as caught:
        actions.list_exception_approve(by=official, county=county, title="文明城市问卷", reason="  ")
    assert "reason" in caught.value.message_dict
    assert not ListException.objects.exists()
    exception = actions.list_exception_approve(by=official, county=county, title="文明城市问卷", reason="时限紧")
    assert exception.approved_by == official and exception.approved_at is not None
    task = hand_down(cadre, [community_a], exception=exception, deadline=deadline)
    assert task.outside_list and task.exception == exception
    # an exception allows one task, not two
    with pytest.raises(ValidationError) as caught:
        hand_down(cadre, [community_a], exception=exception, deadline=deadline, title="再来一次")
    assert "already been used" in caught.value.message_dict["exception"][0]
    assert HandedTask.objects.count() == 1


def test_official_of_another_county_cannot_approve(county, far_community):
    stranger = f.official_of(far_community.town.county)
    with pytest.raises(PermissionDenied):
        actions.list_exception_approve(by=stranger, county=county, title="x", reason="y")


# --- the work list ------------------------------------------------------------------------------------


def test_only_the_county_edits_the_work_list(official, cadre, county, civil_affairs, far_community, today):
    item = WorkListItem(
        county=county,
        number="12",
        title="协助人口普查",
        legal_basis="《全国人口普查条例》",
        department=civil_affairs,
        community_role=CommunityRole.ASSIST,
        valid_from=today,
    )
    with pytest.raises(PermissionDenied):
        actions.work_item_save(by=cadre, item=item)
    assert actions.work_item_save(by=official, item=item).pk
    item.valid_until = today - dt.timedelta(days=3)
    with pytest.raises(ValidationError):
        actions.work_item_save(by=official, item=item)
    other = wf.department(far_community.town.county, DepartmentCode.JUSTICE)
    item.valid_until, item.department = None, other
    with pytest.raises(ValidationError) as caught:
        actions.work_item_save(by=official, item=item)
    assert "department" in caught.value.message_dict
    item.refresh_from_db()
    assert item.department == civil_affairs and item.valid_until is None


# --- a community's steps ------------------------------------------------------------------------


@pytest.fixture
def task(cadre, item, community_a, community_b, deadline):
    return hand_down(cadre, [community_a, community_b], work_item=item, deadline=deadline)


def mine(task, community):
    return TaskAssignment.objects.get(task=task, community=community)


def test_full_round_recorded_with_who_and_when(task, staff_a, cadre, community_a):
    a = mine(task, community_a)
    actions.assignment_move(by=staff_a, assignment_id=a.pk, to=S.ACCEPTED)
    actions.assignment_move(by=staff_a, assignment_id=a.pk, to=S.IN_PROGRESS)
    actions.assignment_move(by=staff_a, assignment_id=a.pk, to=S.REPORTED, text="已入户核查32户")
    actions.assignment_move(by=cadre, assignment_id=a.pk, to=S.CONFIRMED)
    a.refresh_from_db()
    assert a.status == S.CONFIRMED and a.feedback_text == "已入户核查32户"
    assert a.accepted_at and a.reported_at and a.confirmed_at
    steps = list(a.transitions.order_by("at", "id").values_list("old", "new", "by"))
    assert steps == [
        ("", S.RECEIVED, cadre.pk),
        (S.RECEIVED, S.ACCEPTED, staff_a.pk),
        (S.ACCEPTED, S.IN_PROGRESS, staff_a.pk),
        (S.IN_PROGRESS, S.REPORTED, staff_a.pk),
        (S.REPORTED, S.CONFIRMED, cadre.pk),
    ]
    assert all(t.at for t in a.transitions.all())


def test_illegal_step_is_a_clear_error(task, staff_a, community_a):
    a = mine(task, community_a)
    with pytest.raises(ValidationError) as caught:
        actions.assignment_move(by=staff_a, assignment_id=a.pk, to=S.REPORTED, text="x")
    assert "cannot become" in caught.value.message_dict["to"][0]
    a.refresh_from_db()
    assert a.status == S.RECEIVED and a.transitions.count() == 1


def test_report_without_the_required_feedback_is_refused(task, staff_a, community_a):
    a = mine(task, community_a)
    actions.assignment_move(by=staff_a, assignment_id=a.pk, to=S.ACCEPTED)
    actions.assignment_move(by=staff_a, assignment_id=a.pk, to=S.IN_PROGRESS)
    with pytest.raises(ValidationError) as caught:
        actions.assignment_move(by=staff_a, assignment_id=a.pk, to=S.REPORTED, text="   ")
    assert "written report" in caught.value.message_dict["feedback"][0]
    a.refresh_from_db()
    assert a.status == S.IN_PROGRESS and a.reported_at is None and a.transitions.count() == 3


def test_number_and_file_feedback(cadre, item, community_a, staff_a, deadline):
    counted = hand_down(
        cadre,
        [community_a],
        work_item=item,
        deadline=deadline,
        feedback_kind=FeedbackKind.NUMBER,
        feedback_label="核查户数",
    )
    filed = hand_down(cadre, [community_a], work_item=item, deadline=deadline, feedback_kind=FeedbackKind.FILE)
    for t in (counted, filed):
        a = mine(t, community_a)
        actions.assignment_move(by=staff_a, assignment_id=a.pk, to=S.ACCEPTED)
        actions.assignment_move(by=staff_a, assignment_id=a.pk, to=S.IN_PROGRESS)
    with pytest.raises(ValidationError) as caught:
        actions.assignment_move(by=staff_a, assignment_id=mine(counted, community_a).pk, to=S.REPORTED, text="32")
    assert "核查户数" in caught.value.message_dict["feedback"][0]
    with pytest.raises(ValidationError):
        actions.assignment_move(by=staff_a, assignment_id=mine(filed, community_a).pk, to=S.REPORTED, text="见附件")
    actions.assignment_move(by=staff_a, assignment_id=mine(counted, community_a).pk, to=S.REPORTED, number=Decimal(32))
    upload = SimpleUploadedFile("台账.pdf", b"%PDF-1.4 ledger", content_type="application/pdf")
    actions.assignment_move(by=staff_a, assignment_id=mine(filed, community_a).pk, to=S.REPORTED, file=upload)
    assert mine(counted, community_a).feedback_number == Decimal(32)
    assert mine(filed, community_a).feedback_file.name.endswith(".pdf")


def test_return_needs_a_reason(task, staff_a, community_a):
    a = mine(task, community_a)
    with pytest.raises(ValidationError) as caught:
        actions.assignment_move(by=staff_a, assignment_id=a.pk, to=S.RETURNED)
    assert "note" in caught.value.message_dict
    actions.assignment_move(by=staff_a, assignment_id=a.pk, to=S.RETURNED, note="不在本社区工作事项清单内")
    a.refresh_from_db()
    assert a.status == S.RETURNED and a.return_reason == "不在本社区工作事项清单内"
    with pytest.raises(ValidationError):  # returned is final
        actions.assignment_move(by=staff_a, assignment_id=a.pk, to=S.ACCEPTED)


def test_issuer_sends_a_report_back_with_a_reason(task, staff_a, cadre, community_a):
    a = mine(task, community_a)
    for to, extra in [(S.ACCEPTED, {}), (S.IN_PROGRESS, {}), (S.REPORTED, {"text": "完成"})]:
        actions.assignment_move(by=staff_a, assignment_id=a.pk, to=to, **extra)
    with pytest.raises(ValidationError):
        actions.assignment_move(by=cadre, assignment_id=a.pk, to=S.IN_PROGRESS)
    actions.assignment_move(by=cadre, assignment_id=a.pk, to=S.IN_PROGRESS, note="请补充入户照片")
    a.refresh_from_db()
    assert a.status == S.IN_PROGRESS and a.reported_at is None
    assert a.transitions.order_by("-id").first().note == "请补充入户照片"


def test_who_may_make_which_step(task, staff_a, staff_b, cadre, official, liaison, community_a, town):
    a = mine(task, community_a)
    for outsider in (staff_b, cadre, official, liaison):
        with pytest.raises(PermissionDenied):
            actions.assignment_move(by=outsider, assignment_id=a.pk, to=S.ACCEPTED)
    for to, extra in [(S.ACCEPTED, {}), (S.IN_PROGRESS, {}), (S.REPORTED, {"text": "完成"})]:
        actions.assignment_move(by=staff_a, assignment_id=a.pk, to=to, **extra)
    other_cadre = f.town_cadre_of(f.TownFactory(county=town.county))
    for not_the_issuer in (staff_a, liaison, other_cadre):
        with pytest.raises(PermissionDenied):
            actions.assignment_move(by=not_the_issuer, assignment_id=a.pk, to=S.CONFIRMED)
    a.refresh_from_db()
    assert a.status == S.REPORTED


def test_department_confirms_its_own_tasks(liaison, item, community_a, staff_a, official, deadline):
    task = hand_down(liaison, [community_a], work_item=item, deadline=deadline)
    a = mine(task, community_a)
    for to, extra in [(S.ACCEPTED, {}), (S.IN_PROGRESS, {}), (S.REPORTED, {"text": "完成"})]:
        actions.assignment_move(by=staff_a, assignment_id=a.pk, to=to, **extra)
    actions.assignment_move(by=liaison, assignment_id=a.pk, to=S.CONFIRMED)
    assert mine(task, community_a).status == S.CONFIRMED


# --- who sees which task ------------------------------------------------------------------------


def test_task_visibility(cadre, liaison, official, staff_a, staff_b, item, community_a, community_b, community_c):
    town_task = hand_down(cadre, [community_a], work_item=item, title="镇任务")
    dept_task = hand_down(liaison, [community_b, community_c], work_item=item, title="局任务")
    other_dept = f.make_user(
        role=Role.DEPARTMENT_LIAISON,
        scope_level=ScopeLevel.DEPARTMENT,
        department=wf.department(community_a.town.county, DepartmentCode.JUSTICE),
    )
    other_cadre = f.town_cadre_of(community_c.town)

    def seen(user, model=HandedTask):
        return set(model.objects.for_user(user).values_list("pk", flat=True))

    assert seen(official) == {town_task.pk, dept_task.pk}
    assert seen(cadre) == {town_task.pk, dept_task.pk}  # its own, and the one sent to its community b
    assert seen(other_cadre) == {dept_task.pk}
    assert seen(liaison) == {dept_task.pk}
    assert seen(other_dept) == set()
    assert seen(staff_a) == {town_task.pk}
    assert seen(staff_b) == {dept_task.pk}
    assert seen(f.make_user(role=Role.COMMUNITY_STAFF)) == set()  # no scope, no rows
    assert seen(liaison, TaskAssignment) == set(dept_task.assignments.values_list("pk", flat=True))
    assert seen(other_dept, TaskAssignment) == set()
    assert seen(staff_b, TaskAssignment) == {mine(dept_task, community_b).pk}


# --- reminders ------------------------------------------------------------------------------------


def test_reminders_once_a_day_by_email_and_row(task, community_a, community_b, staff_a, today):
    staff_a.email = "a@example.org"
    staff_a.save()
    late = wf.assignment(community_a, deadline=today - dt.timedelta(days=2))
    far = wf.assignment(community_a, deadline=today + dt.timedelta(days=30))
    done = wf.assignment(community_a, deadline=today - dt.timedelta(days=2))
    TaskAssignment.objects.filter(pk=done.pk).update(status=S.REPORTED, reported_at=timezone.now())
    # task's deadline is a week away: not yet; move it to tomorrow
    HandedTask.objects.filter(pk=task.pk).update(deadline=today + dt.timedelta(days=1))
    sent = actions.reminders_run(on=today)
    assert sent == 3  # late (a), task in a and in b
    assert actions.reminders_run(on=today) == 0  # idempotent per day
    rows = TaskReminder.objects.filter(on=today)
    assert rows.count() == 3
    assert rows.get(assignment=late).kind == ReminderKind.OVERDUE
    assert rows.get(assignment=mine(task, community_a)).kind == ReminderKind.DUE_SOON
    assert not rows.filter(assignment__in=[far, done]).exists()
    assert len(mail.outbox) == 2  # community b has no staff with an email
    assert all(m.to == ["a@example.org"] for m in mail.outbox)
    assert rows.get(assignment=late).recipients == "a@example.org"
    assert actions.reminders_run(on=today + dt.timedelta(days=1)) == 3
    assert len(mail.outbox) == 4


def test_beat_schedule_is_in_the_database():
    """The declared schedule, synced as migrate does (a transactional test elsewhere may have flushed it)."""
    from django_celery_beat.models import PeriodicTask

    from utilities import schedules

    schedules.sync()
    job = PeriodicTask.objects.get(task="worklist.tasks.send_deadline_reminders")
    assert job.enabled and job.crontab.hour == "8"


def test_reminder_task_is_thin_and_idempotent(task, today):
    from worklist.tasks import send_deadline_reminders

    HandedTask.objects.filter(pk=task.pk).update(deadline=today)
    assert send_deadline_reminders.apply().get() == 2
    assert send_deadline_reminders.apply().get() == 0


# --- guidance and support -------------------------------------------------------------------------


def test_guidance_is_recorded_by_the_town_in_its_communities(cadre, staff_a, community_a, community_c, today):
    from worklist.models import GuidanceRecord

    record = GuidanceRecord(community=community_a, date=today, topic="台账规范", attendees="社区主任", attendee_count=3)
    with pytest.raises(PermissionDenied):
        actions.guidance_record_save(by=staff_a, record=record)
    saved = actions.guidance_record_save(by=cadre, record=record)
    assert saved.recorded_by == cadre
    elsewhere = GuidanceRecord(community=community_c, date=today, topic="x", attendees="y")
    with pytest.raises(PermissionDenied):
        actions.guidance_record_save(by=cadre, record=elsewhere)
    future = GuidanceRecord(community=community_a, date=today + dt.timedelta(days=3), topic="x", attendees="y")
    with pytest.raises(ValidationError):
        actions.guidance_record_save(by=cadre, record=future)
    assert GuidanceRecord.objects.count() == 1


def test_support_request_two_way(staff_a, staff_b, cadre, community_a, community_c):
    with pytest.raises(PermissionDenied):
        actions.support_request_create(by=staff_b, community=community_a, title="t", body="b")
    with pytest.raises(ValidationError):
        actions.support_request_create(by=staff_a, community=community_a, title="", body="b")
    request = actions.support_request_create(by=staff_a, community=community_a, title="协调物业", body="物业退出")
    with pytest.raises(PermissionDenied):
        actions.support_request_answer(by=staff_a, request_id=request.pk, answer="自己解决")
    with pytest.raises(PermissionDenied):
        actions.support_request_answer(by=f.town_cadre_of(community_c.town), request_id=request.pk, answer="x")
    with pytest.raises(ValidationError):
        actions.support_request_answer(by=cadre, request_id=request.pk, answer=" ")
    actions.support_request_answer(by=cadre, request_id=request.pk, answer="下周召开协调会")
    request.refresh_from_db()
    assert request.status == "answered" and request.answered_by == cadre and request.answered_at
    with pytest.raises(ValidationError):
        actions.support_request_answer(by=cadre, request_id=request.pk, answer="again")
    assert SupportRequest.objects.get().answer == "下周召开协调会"
