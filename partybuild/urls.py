from django.urls import path

from . import views

app_name = "partybuild"

urlpatterns = [
    path("partybuild/coverage/", views.coverage_page, name="coverage"),
    path("partybuild/coverage/assign/", views.coverage_assign, name="coverage-assign"),
]
