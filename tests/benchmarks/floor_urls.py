"""The floor's two views: a form page (GET, with its CSRF token) and its post (POST, 302).

What a bare Django form costs: the same middleware stack as the platform (sessions, CSRF, locale,
security headers, CSP, axes, history), a four-field ``forms.Form`` rendered by Django's own widgets,
and a valid post that keeps one value in the session (one row written, as the resident form keeps its
tracking code) and redirects.  No model, no rate limit, no scope: the platform's form is measured
against this.
"""

from django import forms
from django.http import HttpResponse, HttpResponseRedirect
from django.template import engines
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

PAGE = """<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>floor</title></head><body>
<form method="post">{% csrf_token %}{{ form }}<button type="submit">submit</button></form></body></html>"""


class FloorForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), min_length=4, max_length=4000)
    contact_name = forms.CharField(max_length=40)
    contact_phone = forms.CharField(max_length=20)
    consent = forms.BooleanField()


_page = None


def _render(request, form, status=200) -> HttpResponse:
    global _page
    if _page is None:
        _page = engines["django"].from_string(PAGE)
    return HttpResponse(_page.render({"form": form}, request), status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def floor_form(request):
    if request.method == "GET":
        return _render(request, FloorForm())
    form = FloorForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    request.session["floor"] = form.cleaned_data["contact_phone"]
    return HttpResponseRedirect("/floor/done/")


def healthz(request):
    return HttpResponse("ok")


urlpatterns = [path("floor/", floor_form), path("healthz", healthz)]
