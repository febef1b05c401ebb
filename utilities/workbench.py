"""The workbench on the admin home: what waits for this user, one registry every app contributes to.

Each app registers a contribution with ``contributes(key, order)``: a function ``(user, now) -> list[Item]``
in its ``workbench`` module, which the core imports at startup as it imports every app's ``dashboard`` and
``tasks`` (``community.apps.CONTRIBUTIONS``).  An item's
``count`` comes through the one scope rule (``Model.objects.restrict(user, "view")``) and its ``link``
opens the admin changelist of exactly those rows, sorted by due date; ``tests/community/test_workbench.py``
follows every link for every role and asserts that the list's count equals the figure.
``community`` imports no other app by name.

Below the to-do, the admin home lists the rest of the admin grouped by task (``TASKS``), not by model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    count: int
    link: str
    due: dt.datetime | dt.date | None = None  # the earliest due date among the rows (None: no due date)
    note: str = ""  # a short gloss, e.g. "due within 24 hours"
    urgent: bool = False  # past due: shown first and marked

    @property
    def due_text(self) -> str:
        if self.due is None:
            return "—"
        if isinstance(self.due, dt.datetime):
            return f"{timezone.localtime(self.due):%Y-%m-%d %H:%M}"
        return f"{self.due:%Y-%m-%d}"

    @property
    def due_sort(self) -> dt.datetime:
        if self.due is None:
            return dt.datetime.max.replace(tzinfo=dt.UTC)
        if isinstance(self.due, dt.datetime):
            return self.due
        return timezone.make_aware(dt.datetime.combine(self.due, dt.time.max))


@dataclass(frozen=True)
class Contribution:
    key: str
    order: int
    fn: Callable = field(compare=False)


CONTRIBUTIONS: dict[str, Contribution] = {}


def contributes(key: str, order: int = 100):
    """Register ``fn(user, now) -> list[Item]`` as an app's part of the workbench."""

    def register(fn):
        CONTRIBUTIONS[key] = Contribution(key, order, fn)
        return fn

    return register


def items_for(user, now: dt.datetime | None = None) -> list[Item]:
    """Everything waiting for ``user``: the urgent first, then by due date, then in registry order."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    now = now or timezone.now()
    found: list[tuple[int, int, Item]] = []
    for contribution in sorted(CONTRIBUTIONS.values(), key=lambda c: (c.order, c.key)):
        for index, item in enumerate(contribution.fn(user, now) or []):
            found.append((contribution.order, index, item))
    found.sort(key=lambda t: (not t[2].urgent, t[2].count == 0, t[2].due_sort, t[0], t[1]))
    return [item for _order, _index, item in found]


def link(url: str, **params) -> str:
    """An admin changelist address with its filters (lists joined by commas, as ``__in`` lookups take them)."""
    query = {k: ",".join(str(x) for x in v) if isinstance(v, list | tuple | set) else str(v) for k, v in params.items()}
    return f"{url}?{urlencode(query, safe=',')}" if query else url


# --- the rest of the admin, grouped by task -----------------------------------------------------

#: (title, model labels) in the order the admin home shows them; a model not named here falls into "More".
TASKS: list[tuple[str, list[str]]] = [
    (
        _("Residents' requests"),
        [
            "services.ServiceRequest",
            "services.Notification",
            "services.ServiceCategory",
            "services.Open311Client",
        ],
    ),
    (
        _("Tasks from the town and the departments"),
        [
            "worklist.TaskAssignment",
            "worklist.HandedTask",
            "worklist.WorkListItem",
            "worklist.ListException",
            "worklist.TaskReminder",
            "worklist.GuidanceRecord",
            "worklist.SupportRequest",
        ],
    ),
    (
        _("Residents and households"),
        [
            "community.Resident",
            "community.Household",
            "community.Building",
            "community.Zone",
            "community.ResidentUnit",
        ],
    ),
    (
        _("Party building and household visits"),
        [
            "partybuild.Visit",
            "partybuild.Assignment",
            "partybuild.PartyMember",
            "partybuild.PartyOrganisation",
            "partybuild.Position",
            "partybuild.Liaison",
            "partybuild.VisitsDueNotice",
            "partybuild.CoverageReport",
        ],
    ),
    (
        _("Money and accounts"),
        [
            "funding.JournalEntry",
            "funding.JournalLine",
            "funding.Fund",
            "funding.FundBalance",
            "funding.FundMonth",
            "funding.Budget",
            "funding.Project",
            "funding.FiscalPeriod",
            "funding.Account",
            "funding.FundingSource",
            "funding.CostSplit",
            "funding.Disclosure",
            "funding.DisclosureQuestion",
            "funding.FacilityItem",
            "funding.FacilityAssessment",
            "funding.FacilityInvestment",
        ],
    ),
    (
        _("Departments in the community and shared facilities"),
        [
            "services.Commitment",
            "services.Activity",
            "services.Evaluation",
            "services.Facility",
            "services.FacilityBooking",
            "services.CommunityEvent",
        ],
    ),
    (
        _("Organisation, people and access"),
        [
            "community.County",
            "community.Town",
            "community.Community",
            "community.Department",
            "community.User",
            "auth.Group",
            "community.PersonalDataAccess",
            "community.DataExport",
        ],
    ),
]


def task_groups(app_list: list[dict]) -> list[dict]:
    """Django's ``app_list`` (what this user may see) regrouped by task; leftovers keep their app's name."""
    by_label: dict[str, dict] = {}
    app_names: dict[str, str] = {}
    for app in app_list:
        for model in app["models"]:
            label = f"{app['app_label']}.{model['object_name']}"
            by_label[label] = model
            app_names[label] = str(app["name"])
    groups = []
    placed: set[str] = set()
    for title, labels in TASKS:
        models = [by_label[label] for label in labels if label in by_label]
        placed.update(label for label in labels if label in by_label)
        if models:
            groups.append({"title": title, "models": models})
    leftovers = [label for label in by_label if label not in placed]
    by_app: dict[str, list] = {}
    for label in leftovers:
        by_app.setdefault(app_names[label], []).append(by_label[label])
    for name, models in by_app.items():
        groups.append({"title": name, "models": models})
    return groups
