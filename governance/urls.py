"""Public pages of the governance app: each community's notice board (with its Atom feed), meetings and
elections.  Nothing here reads the confidential case records."""

from django.urls import path

from . import feeds, views

app_name = "governance"

urlpatterns = [
    path("governance/", views.index, name="index"),
    path("governance/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("governance/<str:code>/", views.board, name="board"),
    path("governance/<str:code>/feed/", feeds.BoardFeed(), name="feed"),
    path("governance/<str:code>/notices/<int:pk>/", views.notice, name="notice"),
    path("governance/<str:code>/meetings/", views.meetings, name="meetings"),
    path("governance/<str:code>/meetings/<int:pk>/", views.meeting, name="meeting"),
    path("governance/<str:code>/elections/", views.elections, name="elections"),
    path("governance/<str:code>/elections/<int:pk>/", views.election, name="election"),
]
