from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("funding/disclosure/<str:code>/", views.disclosure_index, name="disclosure-index"),
    path("funding/disclosure/<str:code>/<int:year>/<int:quarter>/", views.disclosure_detail, name="disclosure"),
    path("funding/reports/", views.reports, name="reports"),
    path("funding/reports/<slug:name>.xlsx", views.export, name="export"),
]
