"""What Django and DRF themselves cost for the lists the goal of 5x bare SQL judges: the same pages, built plainly.

Each floor serves the same rows as its platform path, in the same process, through the same middleware and
session, with none of the platform's own code on the way: a plain ``ModelAdmin`` on an ``AdminSite`` of its
own (the same columns, page size, filters and select_related; no scope rule, masking, export, actions or
sidebar keeping), and a plain DRF ``ListAPIView`` (a ``ModelSerializer`` of the same fields, DRF's cursor
pagination, session authentication and ``IsAuthenticated``; no scope rule, throttle or filter backend).
The rows are the official's county, by a plain filter.  Two things are kept from the platform on purpose:
the admin's estimated count (a plain ``COUNT(*)`` of 304,766 rows alone costs more than the whole page) and
the project's admin templates (Django's own, its rows built once per page; ``templates/admin``).

Each list also gets two bounds (``Floor``): an empty page of its kind (a ``ModelAdmin`` of one column, no filter
and no row; a ``ListAPIView`` whose queryset is empty, so neither runs a query of its own), and the ORM building the
plain page's rows alone (``page_rows``: no request, view or template).  A page of that kind costs at least the two
together: where their sum is over the goal's 5x the path's bare SQL, no admin changelist or DRF list could meet it
on this machine (``run.py`` says so beside a missed goal).

``urlpatterns`` mounts them beside the platform's URLs (``run.py`` makes this module the bench's URLconf) and
``FLOOR_BENCHES`` measures each with the bare SQL of the path it is the floor of, so the ratios read side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.db.models import F, Q
from django.test import RequestFactory
from django.urls import include, path
from rest_framework import generics, pagination, permissions, serializers
from rest_framework.authentication import SessionAuthentication

from community.admin import ResidentAdmin
from community.api import ResidentSerializer
from community.models import Resident, Town
from partybuild.api import PartyMemberSerializer
from partybuild.models import PartyMember
from partybuild.selectors import household_load
from staffing.admin import ApplicationAdmin
from staffing.models import Application
from utilities.pagination_admin import EstimatedCountPaginator

site = admin.AdminSite(name="flooradmin")


class FloorResidentAdmin(admin.ModelAdmin):
    """The resident changelist's columns, filters, page size and joins, as a plain ModelAdmin."""

    list_display = ["name", "masked_id_number", "gender", "birth_date", "masked_phone", "household", "residence_type"]
    list_filter = ["residence_type", "gender", "household__building__zone__community"]
    list_select_related = ResidentAdmin.list_select_related
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        county = request.user.county_id
        return Resident.objects.filter(household__building__zone__community__town__county_id=county).order_by("pk")


site.register(Resident, FloorResidentAdmin)


class FloorApplicationAdmin(admin.ModelAdmin):
    """The application changelist's columns, filters, order and joins, as a plain ModelAdmin."""

    list_display = ApplicationAdmin.list_display
    list_filter = [entry for entry in ApplicationAdmin.list_filter if isinstance(entry, str)]
    list_select_related = ApplicationAdmin.list_select_related
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    @admin.display(description="name")
    def applicant_name(self, obj):
        return obj.applicant.name

    def get_queryset(self, request):
        county = request.user.county_id
        return Application.objects.filter(post__community__town__county_id=county).order_by(*ApplicationAdmin.ordering)


site.register(Application, FloorApplicationAdmin)


class EmptyChangelistAdmin(admin.ModelAdmin):
    """The least a changelist costs: Django's admin, signed in, one column, no filter, no row and no query."""

    list_display = ["__str__"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).none()


site.register(Town, EmptyChangelistAdmin)


class FloorCursor(pagination.CursorPagination):
    page_size = 50
    ordering = "-id"


class FloorList(generics.ListAPIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = []
    filter_backends = []
    pagination_class = FloorCursor


class FloorResidentSerializer(serializers.ModelSerializer):
    community = serializers.IntegerField(source="community_pk", read_only=True)
    birth_year = serializers.IntegerField(source="birth_date.year", read_only=True)

    class Meta:
        model = Resident
        # the platform serializer's fields that a list shows (its write-only ID number and phone are not shown)
        fields = [
            name
            for name in ResidentSerializer.Meta.fields
            if not ResidentSerializer.Meta.extra_kwargs.get(name, {}).get("write_only")
        ]


class FloorResidents(FloorList):
    serializer_class = FloorResidentSerializer

    def get_queryset(self):
        path_ = "household__building__zone__community"
        return Resident.objects.filter(**{f"{path_}__town__county_id": self.request.user.county_id}).annotate(
            community_pk=F(f"{path_}_id")
        )


class FloorMemberSerializer(serializers.ModelSerializer):
    community = serializers.IntegerField(source="organisation.community_id", read_only=True, allow_null=True)
    load = serializers.IntegerField(read_only=True)

    class Meta:
        model = PartyMember
        fields = PartyMemberSerializer.Meta.fields


class FloorMembers(FloorList):
    serializer_class = FloorMemberSerializer

    def get_queryset(self):
        county = self.request.user.county_id
        return (
            PartyMember.objects.filter(
                Q(organisation__community__town__county_id=county) | Q(organisation__town__county_id=county)
            )
            .select_related("organisation")
            .annotate(load=household_load())
        )


class FloorEmpty(FloorList):
    """The least a DRF list costs: signed in, paginated, serializing nothing (its queryset is empty)."""

    serializer_class = FloorMemberSerializer

    def get_queryset(self):
        return PartyMember.objects.none()


@dataclass(frozen=True)
class Floor:
    """A floor of a measured list: ``same``, the same page built plainly (``url``); ``empty``, the same kind of
    page with no row (``url``); ``rows``, the ORM reading the plain page's rows (``url``'s queryset, sliced to
    its page) with no request, view or template."""

    name: str
    url: str
    kind: str = "same"


SAME_CHANGELIST = "floor: the same changelist as a plain ModelAdmin (Django's own cost)"
SAME_API_LIST = "floor: the same first page from a plain DRF ListAPIView (DRF's own cost)"
EMPTY_CHANGELIST = Floor(
    "floor: an empty changelist, plain ModelAdmin, no row (the least Django's admin costs)",
    "/floor/admin/community/town/",
    "empty",
)
EMPTY_API_LIST = Floor(
    "floor: an empty DRF ListAPIView, no row (the least a DRF list costs)", "/floor/api/empty/", "empty"
)
ROWS = "floor: the page's rows read by the ORM alone (no request, no view, no template)"


def _floors(same: str, url: str, empty: Floor) -> list[Floor]:
    return [Floor(same, url), empty, Floor(ROWS, url, "rows")]


# the path each floor is the floor of (its name in the table), and its floors: the same page built plainly, the
# empty page of the same kind, and the ORM reading the same rows; a page of the path's kind costs at least the
# empty page and the rows together (``run.py`` reads a missed ratio goal against that sum)
FLOORS = {
    "admin resident changelist (county official)": _floors(
        SAME_CHANGELIST, "/floor/admin/community/resident/", EMPTY_CHANGELIST
    ),
    "/api/v1/residents/ first page": _floors(SAME_API_LIST, "/floor/api/residents/", EMPTY_API_LIST),
    "/api/v1/partybuild/members/ first page (with load)": _floors(SAME_API_LIST, "/floor/api/members/", EMPTY_API_LIST),
    "staffing: admin application changelist of the campaign (county official)": _floors(
        SAME_CHANGELIST, "/floor/admin/staffing/application/", EMPTY_CHANGELIST
    ),
}
# the query a floor's page is asked with, where its path asks with one (the campaign of the application list)
FLOOR_PARAMS = {"/floor/admin/staffing/application/": "campaign"}


def _params(ctx, url: str) -> dict:
    if FLOOR_PARAMS.get(url) == "campaign":
        from tests.benchmarks.bench_staffing import _campaign

        return {"post__campaign__id__exact": _campaign(ctx).pk}
    return {}


FLOOR_NOTES = {
    "same": "no goal: what the framework costs for the page above; same bare SQL",
    "empty": "no goal: no row and no query of its own; the least a page of this kind costs",
    "rows": "no goal: the ORM building the page's rows (queryset, select_related, instances), nothing else",
}


def page_rows(ctx, url: str) -> list:
    """The rows the floor page ``url`` shows, read by the ORM as its admin or view reads them, and nothing else."""
    request = RequestFactory().get(url)
    request.user = ctx.official
    if url.startswith("/floor/admin/"):
        model_admin = next(
            model_admin
            for model, model_admin in site._registry.items()
            if url == f"/floor/admin/{model._meta.app_label}/{model._meta.model_name}/"
        )
        queryset = model_admin.get_queryset(request).filter(**_params(ctx, url))
        queryset = queryset.select_related(*model_admin.list_select_related)
        return list(queryset[: model_admin.list_per_page])
    view = API_FLOORS[url]()
    view.request = request
    return list(view.get_queryset().order_by(FloorCursor.ordering)[: FloorCursor.page_size + 1])


def _floor_run(floor: Floor):
    if floor.kind == "rows":

        def run(ctx):
            if not page_rows(ctx, floor.url):
                raise RuntimeError(f"the rows of {floor.url} are none")

        return run

    def run(ctx):
        response = ctx.get(floor.url, _params(ctx, floor.url))
        shows_rows = b'id="result_list"' in response.content or b'"results":[{' in response.content
        if shows_rows == (floor.kind == "empty"):
            raise RuntimeError(f"the floor {floor.url} shows {'a row' if floor.kind == 'empty' else 'no row'}")
        return response

    return run


def floor_benches(paths: dict) -> dict:
    """``{path name: [its floor's Bench]}`` for the measured paths (``paths``: name -> Bench) that have one; each
    floor is judged by nothing and read beside its path, with the path's bare SQL and rows."""
    from tests.benchmarks.harness import Bench

    found = {}
    for name, floors in FLOORS.items():
        bench = paths.get(name)
        if bench is None:
            continue
        found[name] = [
            Bench(
                name=f"  {floor.name}",
                run=_floor_run(floor),
                bare_sql=bench.bare_sql,
                rows=bench.rows,
                note=FLOOR_NOTES[floor.kind],
            )
            for floor in floors
        ]
    return found


API_FLOORS = {"/floor/api/residents/": FloorResidents, "/floor/api/members/": FloorMembers}

urlpatterns = [
    path("floor/admin/", site.urls),
    *(path(url.removeprefix("/"), view.as_view()) for url, view in API_FLOORS.items()),
    path(EMPTY_API_LIST.url.removeprefix("/"), FloorEmpty.as_view()),
    path("", include("config.urls")),
]
