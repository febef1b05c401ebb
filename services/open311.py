"""Open311 GeoReport v2 at /open311/v2/: discovery, services, requests, tokens — in JSON and XML.

``jurisdiction_id`` is the community's code; ``service_code`` is the category's code;
``service_request_id`` is the request's number.  POST needs an ``api_key`` (an Open311Client), in the
``X-Api-Key`` header or the POST body, never in the URL.
Public answers never carry the resident's name, phone or words: the description, the full
address and the photos go only to a caller with a valid api_key.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import wraps
from xml.etree import ElementTree as ET

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from community.masking import scrub_public_text
from community.models import Community
from community.validators import CONTROL_CHARACTERS, strip_control_characters

from . import actions
from .choices import OPEN_STATUSES, Channel, EventKind, QuestionType
from .models import Open311Client, RequestEvent, RequestPhoto, ServiceCategory, ServiceRequest

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-27T00:00:00+08:00"
MAX_RESULTS = 1000
DEFAULT_DAYS = 90
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


# --- rendering --------------------------------------------------------------------------------


def _xml_value(parent, tag, value):
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(element, key, item)
    elif isinstance(value, list):
        child_tag = {
            "attributes": "attribute",
            "values": "value",
            "formats": "format",
            "endpoints": "endpoint",
        }.get(tag, "item")
        for item in value:
            _xml_value(element, child_tag, item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = strip_control_characters(str(value))  # XML 1.0 cannot carry them: a row saved before
    return element


def render(payload, fmt: str, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(payload, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    top = ET.Element(root)
    if item is None:
        for key, value in payload.items():
            _xml_value(top, key, value)
    else:
        for entry in payload:
            _xml_value(top, item, entry)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES["xml"])


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render([{"code": status, "description": description}], fmt, root="errors", item="error", status=status)


def _fmt(fmt: str):
    return fmt if fmt in CONTENT_TYPES else None


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- serialisation ----------------------------------------------------------------------------


def service_json(category: ServiceCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.questions),
        "type": "realtime",
        "keywords": category.group,
        "group": category.group,
    }


def definition_json(category: ServiceCategory) -> dict:
    attributes = []
    for order, question in enumerate(category.questions or [], 1):
        attributes.append(
            {
                "variable": True,
                "code": question["code"],
                "datatype": question.get("type", QuestionType.STRING),
                "required": bool(question.get("required")),
                "datatype_description": question.get("help", ""),
                "order": order,
                "description": question["label"],
                "values": [{"key": k, "name": n} for k, n in actions.question_values(question)],
            }
        )
    return {"service_code": category.code, "attributes": attributes}


def request_json(req: ServiceRequest, *, full: bool, request=None) -> dict:
    notes = getattr(req, "public_notes", None)
    status_notes = scrub_public_text(req.reject_reason or (notes[-1].note if notes else ""))
    photos = getattr(req, "open311_photos", [])
    media_url = ""
    if full and photos and request is not None:
        media_url = request.build_absolute_uri(photos[0].image.url)
    public_address = " ".join(p for p in [req.community.name, req.building.name if req.building else ""] if p)
    return {
        "service_request_id": str(req.pk),
        "status": "open" if req.status in OPEN_STATUSES else "closed",
        "status_notes": status_notes,
        "service_name": req.category.name,
        "service_code": req.category.code,
        "description": req.description if full else "",
        "agency_responsible": req.assigned_department.name if req.assigned_department else req.community.name,
        "service_notice": "",
        "requested_datetime": _iso(req.submitted_at),
        "updated_datetime": _iso(req.updated_at),
        "expected_datetime": _iso(req.resolve_due),
        "address": req.address if full else public_address,
        "address_id": "",
        "zipcode": "",
        "lat": float(req.lat) if req.lat is not None else None,
        "long": float(req.long) if req.long is not None else None,
        "media_url": media_url,
    }


def _requests_queryset():
    return ServiceRequest.objects.select_related(
        "category", "community", "building", "assigned_department"
    ).prefetch_related(
        Prefetch(
            "events",
            queryset=RequestEvent.objects.filter(public=True)
            .exclude(kind__in=[EventKind.RESIDENT_INFO, EventKind.RATING])
            .exclude(note="")
            .order_by("at", "id"),
            to_attr="public_notes",
        ),
        Prefetch("photos", queryset=RequestPhoto.objects.order_by("id"), to_attr="open311_photos"),
    )


API_KEY_HEADER = "X-Api-Key"


def _client(request) -> Open311Client | None:
    """The caller's client: its key in the ``X-Api-Key`` header, or in a POST's body — never in the URL,
    which lands in access logs (``refuse_query_key`` answers such a request 400)."""
    key = request.headers.get(API_KEY_HEADER) or (request.POST.get("api_key") if request.method == "POST" else None)
    if not key:
        return None
    return Open311Client.objects.filter(api_key=key, active=True).first()


def _jurisdiction(request):
    """(community or None, error message or None)."""
    code = (request.POST.get("jurisdiction_id") if request.method == "POST" else None) or request.GET.get(
        "jurisdiction_id"
    )
    if not code:
        return None, None
    community = Community.objects.filter(code=code).first()
    if community is None:
        return None, _("Unknown jurisdiction_id %(code)s (use a community code).") % {"code": code}
    return community, None


def refuse_nul(view):
    """A control character in any parameter is a 400: PostgreSQL cannot even compare a string with NUL, and
    the XML answers cannot carry the others.  An ``api_key`` in the query string is a 400 as well."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        fmt = _fmt(kwargs.get("fmt", "json")) or "json"
        values = [*request.GET.lists(), *(request.POST.lists() if request.method == "POST" else [])]
        if any(
            CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(value) for value in group)
            for key, group in values
        ):
            return error(fmt, 400, _("Remove the control characters from the parameters."))
        if "api_key" in request.GET:
            return error(fmt, 400, _("Send the api_key in the X-Api-Key header, not in the URL."))
        return view(request, *args, **kwargs)

    return wrapper


# --- views ------------------------------------------------------------------------------------


@require_http_methods(["GET"])
@refuse_nul
def discovery(request, fmt):
    fmt = _fmt(fmt)
    if fmt is None:
        return error("json", 404, _("Use .json or .xml."))
    base = request.build_absolute_uri(reverse("services:open311-root"))
    payload = {
        "changeset": CHANGESET,
        "contact": _("Your residents' committee office"),
        "key_service": _("Ask the county civil affairs bureau for an api_key."),
        "endpoints": [
            {
                "specification": SPEC,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(payload, fmt, root="discovery")


@require_http_methods(["GET"])
@refuse_nul
def service_list(request, fmt):
    fmt = _fmt(fmt)
    if fmt is None:
        return error("json", 404, _("Use .json or .xml."))
    _community, problem = _jurisdiction(request)
    if problem:
        return error(fmt, 404, problem)
    services = [service_json(c) for c in ServiceCategory.objects.active()]
    return render(services, fmt, root="services", item="service")


@require_http_methods(["GET"])
@refuse_nul
def service_definition(request, code, fmt):
    fmt = _fmt(fmt)
    if fmt is None:
        return error("json", 404, _("Use .json or .xml."))
    category = ServiceCategory.objects.active().filter(code=code).first()
    if category is None:
        return error(fmt, 404, _("No service with code %(code)s.") % {"code": code})
    return render(definition_json(category), fmt, root="service_definition")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@refuse_nul
def request_list(request, fmt):
    fmt = _fmt(fmt)
    if fmt is None:
        return error("json", 404, _("Use .json or .xml."))
    if request.method == "POST":
        return _create(request, fmt)
    community, problem = _jurisdiction(request)
    if problem:
        return error(fmt, 404, problem)
    client = _client(request)
    if request.headers.get(API_KEY_HEADER) and client is None:
        return error(fmt, 403, _("The api_key is not valid."))
    qs = _requests_queryset()
    if community is not None:
        qs = qs.filter(community=community)
    ids = request.GET.get("service_request_id")
    if ids:
        wanted = [i.strip() for i in ids.split(",") if i.strip()]
        if not all(i.isdigit() for i in wanted):
            return error(fmt, 400, _("service_request_id must be numbers separated by commas."))
        qs = qs.filter(pk__in=wanted)
    else:
        try:
            start = _parse_when(request.GET.get("start_date"))
            end = _parse_when(request.GET.get("end_date"), end=True)
        except ValueError:
            return error(fmt, 400, _("start_date and end_date must be ISO 8601 dates or times."))
        if start is None:
            start = (end or timezone.now()) - dt.timedelta(days=DEFAULT_DAYS)
        qs = qs.filter(submitted_at__gte=start)
        if end is not None:
            qs = qs.filter(submitted_at__lte=end)
        if request.GET.get("service_code"):
            qs = qs.filter(category__code__in=request.GET["service_code"].split(","))
        if request.GET.get("status"):
            statuses = {s.strip() for s in request.GET["status"].split(",")}
            if not statuses <= {"open", "closed"}:
                return error(fmt, 400, _("status is open or closed."))
            if statuses == {"open"}:
                qs = qs.filter(status__in=OPEN_STATUSES)
            elif statuses == {"closed"}:
                qs = qs.exclude(status__in=OPEN_STATUSES)
    rows = [
        request_json(r, full=client is not None, request=request) for r in qs.order_by("-submitted_at")[:MAX_RESULTS]
    ]
    return render(rows, fmt, root="service_requests", item="request")


def _parse_when(value, end=False):
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        parsed = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _create(request, fmt):
    client = _client(request)
    if client is None:
        return error(fmt, 403, _("A valid api_key is needed to submit requests."))
    community, problem = _jurisdiction(request)
    if problem:
        return error(fmt, 404, problem)
    if community is None:
        return error(fmt, 400, _("jurisdiction_id (the community code) is required."))
    code = request.POST.get("service_code")
    category = ServiceCategory.objects.active().filter(code=code).first() if code else None
    if category is None:
        return error(fmt, 400, _("service_code is missing or unknown."))
    answers = {}
    for key in request.POST:
        if key.startswith("attribute[") and key.endswith("]"):
            name = key[len("attribute[") : -1].removesuffix("][")
            values = request.POST.getlist(key)
            answers[name] = values if key.endswith("[]") or len(values) > 1 else values[0]
    try:
        lat = _coordinate(request.POST.get("lat"), 90)
        long = _coordinate(request.POST.get("long"), 180)
    except ValueError:
        return error(fmt, 400, _("lat and long must be decimal degrees."))
    if (lat is None) != (long is None):
        return error(fmt, 400, _("Give both lat and long, or neither."))
    address = (request.POST.get("address_string") or "").strip()
    if lat is None and not address:
        return error(fmt, 400, _("A location is required: lat and long, or address_string."))
    name = " ".join(p for p in [request.POST.get("last_name", ""), request.POST.get("first_name", "")] if p).strip()
    try:
        req = actions.request_submit(
            community=community,
            category=category,
            description=request.POST.get("description", ""),
            contact_name=name,
            contact_phone=request.POST.get("phone", ""),
            contact_email=_email(request.POST.get("email", "")),
            address=address[:150],
            answers=answers,
            photos=request.FILES.getlist("media")[: actions.MAX_PHOTOS + 1],
            channel=Channel.OPEN311,
            lat=lat,
            long=long,
        )
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        rows = [
            {"code": 400, "description": f"{field}: {message}"}
            for field, items in messages.items()
            for message in items
        ]
        return render(rows, fmt, root="errors", item="error", status=400)
    except PermissionDenied as exc:
        return error(fmt, 403, str(exc))
    payload = [
        {
            "service_request_id": str(req.pk),
            "token": str(req.token),
            "service_notice": _("Tracking code for the resident: %(code)s") % {"code": req.display_code},
            "account_id": None,
        }
    ]
    return render(payload, fmt, root="service_requests", item="request", status=201)


def _coordinate(value, bound):
    if value in (None, ""):
        return None

    try:
        number = Decimal(value).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValueError(value)
    if abs(number) > bound:
        raise ValueError(value)
    return number


def _email(value):

    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


@require_http_methods(["GET"])
@refuse_nul
def request_detail(request, pk, fmt):
    fmt = _fmt(fmt)
    if fmt is None:
        return error("json", 404, _("Use .json or .xml."))
    client = _client(request)
    if request.headers.get(API_KEY_HEADER) and client is None:
        return error(fmt, 403, _("The api_key is not valid."))
    qs = _requests_queryset().filter(pk=pk)
    community, problem = _jurisdiction(request)
    if problem:
        return error(fmt, 404, problem)
    if community is not None:
        qs = qs.filter(community=community)
    req = qs.first()
    if req is None:
        return error(fmt, 404, _("No request with id %(id)s.") % {"id": pk})
    return render(
        [request_json(req, full=client is not None, request=request)], fmt, root="service_requests", item="request"
    )


@require_http_methods(["GET"])
@refuse_nul
def token_detail(request, token, fmt):
    fmt = _fmt(fmt)
    if fmt is None:
        return error("json", 404, _("Use .json or .xml."))
    req = ServiceRequest.objects.filter(token=token).only("id", "token").first()
    if req is None:
        return error(fmt, 404, _("No request with this token."))
    return render(
        [{"service_request_id": str(req.pk), "token": str(req.token)}], fmt, root="service_requests", item="request"
    )
