from django.urls import path

from . import views

app_name = "staffing"

urlpatterns = [
    path("staffing/", views.campaign_list, name="list"),
    path("staffing/<int:pk>/", views.campaign_detail, name="announcement"),
    path("staffing/<int:pk>/scores/", views.campaign_scores, name="scores"),
    path("staffing/<int:pk>/publicity/", views.campaign_publicity, name="publicity"),
]
