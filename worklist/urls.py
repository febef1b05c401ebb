from django.urls import path

from . import views

app_name = "worklist"

urlpatterns = [
    path("worklist/", views.public_list, name="public"),
    path("worklist/<str:code>/", views.community_list, name="community"),
]
