"""Residents' public pages: a community's notices, meetings with their published resolutions, election results.

No account is needed; no page shows a resident's name, ID number or phone (an election's candidates are
shown with masked names), and nothing here reads the confidential case records.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from community.masking import scrub_public_text
from community.models import Community

from . import selectors
from .choices import NoticeCategory
from .models import NoticeAttachment


def _community(code: str) -> Community:
    if len(code) > 32:
        raise Http404(_("There is no such community."))
    return get_object_or_404(Community.objects.select_related("town"), code=code)


def index(request):
    return render(request, "governance/index.html", {"communities": selectors.public_communities()})


def board(request, code: str):
    community = _community(code)
    category = request.GET.get("category") or ""
    if category not in NoticeCategory.values:
        category = ""
    entries = selectors.board(community=community, category=category or None)
    return render(
        request,
        "governance/board.html",
        {
            "community": community,
            "entries": entries,
            "category": category,
            "categories": NoticeCategory.choices,
        },
    )


def notice(request, code: str, pk: int):
    community = _community(code)
    item = get_object_or_404(selectors.public_notices(community).prefetch_related("attachments"), pk=pk)
    item.title, item.body = scrub_public_text(item.title, phones=False), scrub_public_text(item.body, phones=False)
    return render(request, "governance/notice.html", {"community": community, "notice": item})


def attachment(request, pk: int):
    """An attachment of a notice that is published now (a draft's or a withdrawn notice's is not served)."""
    item = get_object_or_404(NoticeAttachment.objects.filter(notice__in=selectors.public_notices()), pk=pk)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("This attachment is no longer available.")) from None
    extension = item.file.name.rsplit(".", 1)[-1]
    filename = item.title if item.title.lower().endswith(f".{extension}") else f"{item.title}.{extension}"
    response = FileResponse(handle, content_type=item.content_type, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def meetings(request, code: str):
    community = _community(code)
    return render(
        request,
        "governance/meetings.html",
        {"community": community, "meetings": selectors.public_meetings(community=community)},
    )


def meeting(request, code: str, pk: int):
    community = _community(code)
    item = get_object_or_404(selectors.public_meetings(community=community), pk=pk)
    return render(request, "governance/meeting.html", {"community": community, "meeting": item})


def elections(request, code: str):
    community = _community(code)
    return render(
        request,
        "governance/elections.html",
        {"community": community, "elections": selectors.public_elections(community=community)},
    )


def election(request, code: str, pk: int):
    community = _community(code)
    item = get_object_or_404(selectors.public_elections(community=community), pk=pk)
    return render(
        request,
        "governance/election.html",
        {"community": community, "election": item, "candidates": selectors.public_result(item)},
    )
