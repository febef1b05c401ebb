"""Factories of the governance app; every community-owned model registers one in SCOPED_FACTORIES."""

from __future__ import annotations

import datetime as dt
import itertools

from django.core.files.base import ContentFile
from django.utils import timezone

from governance.choices import MeetingKind, MeetingStatus, NoticeCategory, QuorumBasis
from governance.models import (
    AgendaItem,
    Attendee,
    BallotBox,
    BallotIssue,
    Candidate,
    Election,
    LegalAidCase,
    MediationCase,
    Meeting,
    Notice,
    NoticeAttachment,
    PublicOrderRecord,
    Resolution,
    RollObjection,
    Tally,
    Voter,
)
from tests import factories as f

_n = itertools.count(1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def notice(community, *, published=True, **extra) -> Notice:
    values = {
        "community": community,
        "category": NoticeCategory.AFFAIRS,
        "title": f"公告{next(_n)}",
        "body": "社区将于本周六开展环境整治。",
        "publish_at": timezone.now() - dt.timedelta(hours=1) if published else None,
    }
    values.update(extra)
    return Notice.objects.create(**values)


def attachment(community, **extra) -> NoticeAttachment:
    item = NoticeAttachment(
        notice=extra.pop("notice", None) or notice(community),
        title="通知.pdf",
        size=len(PDF),
        content_type="application/pdf",
    )
    item.file.save("notice.pdf", ContentFile(PDF), save=False)
    item.save()
    return item


def meeting(community, **extra) -> Meeting:
    values = {
        "community": community,
        "kind": MeetingKind.RESIDENTS,
        "title": f"居民会议{next(_n)}",
        "starts_at": timezone.now() - dt.timedelta(days=1),
        "location": "居委会会议室",
        "quorum_basis": QuorumBasis.HOUSEHOLDS,
        "quorum_numerator": 1,
        "quorum_denominator": 2,
        "quorum_strict": True,
        "eligible": 10,
    }
    values.update(extra)
    return Meeting.objects.create(**values)


def held_meeting(community, **extra) -> Meeting:
    return meeting(community, status=MeetingStatus.HELD, quorate=True, attendee_count=8, present=8, **extra)


def resolution(community, **extra) -> Resolution:
    return Resolution.objects.create(
        meeting=extra.pop("meeting", None) or held_meeting(community),
        number=extra.pop("number", next(_n)),
        title=extra.pop("title", "关于楼道照明的决议"),
        text="同意改造。",
        votes_for=6,
        votes_against=1,
        abstentions=1,
        passed=True,
        **extra,
    )


def election(community, **extra) -> Election:
    day = extra.pop("election_day", dt.date(2026, 6, 15))
    values = {
        "community": community,
        "title": f"换届选举{next(_n)}",
        "election_day": day,
        "seats": 2,
        "term_start": day + dt.timedelta(days=15),
        "term_end": day + dt.timedelta(days=15 + 5 * 365),
    }
    values.update(extra)
    return Election.objects.create(**values)


def voter(community, **extra) -> Voter:
    return Voter.objects.create(
        election=extra.pop("election", None) or election(community),
        resident=extra.pop("resident", None) or f.SCOPED_FACTORIES["community.Resident"](community),
        **extra,
    )


def candidate(community, **extra) -> Candidate:
    v = extra.pop("voter", None) or voter(community)
    return Candidate.objects.create(election=v.election, resident=v.resident, education="college", **extra)


def box(community, **extra) -> BallotBox:
    return BallotBox.objects.create(
        election=extra.pop("election", None) or election(community), name=f"票箱{next(_n)}", **extra
    )


def case_values(community) -> dict:
    return {"community": community, "number": f"TJ-{next(_n)}", "handler": f.staff_of(community)}


def mediation(community, **extra) -> MediationCase:
    values = {
        **case_values(community),
        "received_on": dt.date(2026, 11, 2),
        "dispute_kind": "neighbours",
        "applicant_name": "赵大明",
        "applicant_phone": "13811112222",
        "respondent_name": "钱小红",
        "respondent_phone": "13933334444",
        "summary": "楼上漏水引起纠纷",
    }
    values.update(extra)
    return MediationCase.objects.create(**values)


def legal_aid(community, **extra) -> LegalAidCase:
    values = {
        **case_values(community),
        "received_on": dt.date(2026, 11, 3),
        "kind": "consultation",
        "matter": "labour",
        "applicant_name": "孙建国",
        "applicant_phone": "13755556666",
        "question": "工资被拖欠怎么办",
    }
    values.update(extra)
    return LegalAidCase.objects.create(**values)


def order_record(community, **extra) -> PublicOrderRecord:
    values = {
        **case_values(community),
        "occurred_at": timezone.now() - dt.timedelta(days=2),
        "location": "3号楼车棚",
        "kind": "theft",
        "involved_name": "李四海",
        "involved_phone": "13677778888",
        "description": "电动车被盗",
    }
    values.update(extra)
    return PublicOrderRecord.objects.create(**values)


f.SCOPED_FACTORIES.update(
    {
        "governance.Notice": notice,
        "governance.NoticeAttachment": attachment,
        "governance.Meeting": meeting,
        "governance.AgendaItem": lambda c: AgendaItem.objects.create(meeting=meeting(c), title="议程"),
        "governance.Attendee": lambda c: Attendee.objects.create(
            meeting=meeting(c), household=f.SCOPED_FACTORIES["community.Household"](c)
        ),
        "governance.Resolution": resolution,
        "governance.Election": election,
        "governance.Voter": voter,
        "governance.RollObjection": lambda c: RollObjection.objects.create(
            election=election(c), resident=f.SCOPED_FACTORIES["community.Resident"](c), kind="add", reason="漏登"
        ),
        "governance.Candidate": candidate,
        "governance.BallotBox": box,
        "governance.BallotIssue": lambda c: BallotIssue.objects.create(box=box(c), voter=voter(c)),
        "governance.Tally": lambda c: Tally.objects.create(box=box(c), candidate=candidate(c), votes=3),
        "governance.MediationCase": mediation,
        "governance.LegalAidCase": legal_aid,
        "governance.PublicOrderRecord": order_record,
    }
)


def placement(community, dept=None, **extra):
    from community.choices import DepartmentCode
    from governance.models import DepartmentPlacement

    dept = dept or f.DepartmentFactory(county=community.town.county, code=DepartmentCode.JUSTICE)
    return DepartmentPlacement.objects.create(
        department=dept,
        community=community,
        person_name=extra.pop("person_name", f"司法员{next(_n)}"),
        duty=extra.pop("duty", "每周二驻社区法律咨询"),
        phone=extra.pop("phone", "13812345678"),
        start=extra.pop("start", dt.date(2026, 1, 1)),
        **extra,
    )


f.SCOPED_FACTORIES["governance.DepartmentPlacement"] = placement
f.PLACED_FACTORIES["governance.DepartmentPlacement"] = lambda c, dept: placement(c, dept)
