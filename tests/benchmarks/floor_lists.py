"""What Django and DRF themselves cost for the lists the goal of 5x bare SQL judges: the same pages, built plainly.

Each floor serves the same rows as its platform path, in the same process, through the same middleware and
session, with none of the platform's own code on the way: a plain ``ModelAdmin`` on an ``AdminSite`` of its
own (the same columns, page size, filters and select_related; no scope rule, masking, export, actions or
sidebar keeping), and a plain DRF ``ListAPIView`` (a ``ModelSerializer`` of the same fields, DRF's cursor
pagination, session authentication and ``IsAuthenticated``; no scope rule, throttle or filter backend).
The rows are the official's county, by a plain filter.  Two things are kept from the platform on purpose:
the admin's estimated count (a plain ``COUNT(*)`` of 304,766 rows alone costs more than the whole page) and
the project's admin templates (Django's own, its rows built once per page; ``templates/admin``).

``urlpatterns`` mounts them beside the platform's URLs (``run.py`` makes this module the bench's URLconf) and
``FLOOR_BENCHES`` measures each with the bare SQL of the path it is the floor of, so the ratios read side by side.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import F, Q
from django.urls import include, path
from rest_framework import generics, pagination, permissions, serializers
from rest_framework.authentication import SessionAuthentication

from community.admin import ResidentAdmin
from community.api import ResidentSerializer
from community.models import Resident
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


# the path each floor is the floor of (its name in the table), and the floor's own page
FLOORS = {
    "admin resident changelist (county official)": (
        "floor: the same changelist as a plain ModelAdmin (Django's own cost)",
        "/floor/admin/community/resident/",
    ),
    "/api/v1/residents/ first page": (
        "floor: the same first page from a plain DRF ListAPIView (DRF's own cost)",
        "/floor/api/residents/",
    ),
    "/api/v1/partybuild/members/ first page (with load)": (
        "floor: the same first page from a plain DRF ListAPIView (DRF's own cost)",
        "/floor/api/members/",
    ),
    "staffing: admin application changelist of the campaign (county official)": (
        "floor: the same changelist as a plain ModelAdmin (Django's own cost)",
        "/floor/admin/staffing/application/",
    ),
}
# the query a floor's page is asked with, where its path asks with one (the campaign of the application list)
FLOOR_PARAMS = {"/floor/admin/staffing/application/": "campaign"}


def _params(ctx, url: str) -> dict:
    if FLOOR_PARAMS.get(url) == "campaign":
        from tests.benchmarks.bench_staffing import _campaign

        return {"post__campaign__id__exact": _campaign(ctx).pk}
    return {}


def floor_benches(paths: dict) -> dict:
    """``{path name: [its floor's Bench]}`` for the measured paths (``paths``: name -> Bench) that have one; each
    floor is judged by nothing and read beside its path, with the path's bare SQL and rows."""
    from tests.benchmarks.harness import Bench

    found = {}
    for name, (floor_name, url) in FLOORS.items():
        bench = paths.get(name)
        if bench is None:
            continue

        def run(ctx, url=url):
            response = ctx.get(url, _params(ctx, url))
            if b"<tr" not in response.content and b'"results":[{' not in response.content:
                raise RuntimeError(f"the floor {url} shows no row")
            return response

        found[name] = [
            Bench(
                name=f"  {floor_name}",
                run=run,
                bare_sql=bench.bare_sql,
                rows=bench.rows,
                note="no goal: what the framework costs for the page above; same bare SQL",
            )
        ]
    return found


urlpatterns = [
    path("floor/admin/", site.urls),
    path("floor/api/residents/", FloorResidents.as_view()),
    path("floor/api/members/", FloorMembers.as_view()),
    path("", include("config.urls")),
]
