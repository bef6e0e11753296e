from django.urls import path

from chains import views

app_name = "chains"
urlpatterns = [
    path("", views.chain_list, name="list"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/<int:pk>/", views.coverage_detail, name="coverage_detail"),
    path("<int:pk>/", views.chain_detail, name="detail"),
    path("<int:pk>/links/new/", views.link_create_view, name="link_create"),
    path("<int:pk>/placements/new/", views.placement_create_view, name="placement_create"),
]
