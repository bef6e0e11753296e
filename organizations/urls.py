from django.urls import path

from organizations import views

app_name = "organizations"
urlpatterns = [
    path("", views.organization_list, name="list"),
    path("new/", views.organization_create_view, name="create"),
    path("<int:pk>/", views.organization_detail, name="detail"),
    path("<int:pk>/edit/", views.organization_edit, name="edit"),
    path("members/", views.member_list, name="members"),
    path("members/new/", views.member_create_view, name="member_create"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("posts/", views.post_list, name="posts"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("pairings/", views.pairing_list, name="pairings"),
    path("pairings/new/", views.pairing_create_view, name="pairing_create"),
    path("pairings/<int:pk>/edit/", views.pairing_edit, name="pairing_edit"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("mentoring/", views.mentoring_list, name="mentoring"),
    path("mentoring/new/", views.mentoring_create, name="mentoring_create"),
    path("mentoring/<int:pk>/edit/", views.mentoring_edit, name="mentoring_edit"),
]
