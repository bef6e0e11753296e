from django.urls import path

from investment import views

app_name = "investment"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/stage/", views.project_stage, name="project_stage"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/new/", views.target_form, name="target_create"),
    path("targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("targets/<int:pk>/edit/", views.target_form, name="target_edit"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("chains/<int:chain_id>/", views.chain_dashboard, name="chain_dashboard"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("links/<int:link_id>/candidates/", views.link_candidates, name="link_candidates"),
]
