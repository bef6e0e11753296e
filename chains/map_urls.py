from django.urls import path

from chains import map_views

app_name = "chain_map"
urlpatterns = [
    path("", map_views.index, name="index"),
    path("settings/", map_views.settings_page, name="settings"),
    path("<int:chain_id>/", map_views.detail, name="detail"),
    path("<int:chain_id>/links/<int:link_id>/", map_views.link_panel, name="link_panel"),
    path("<int:chain_id>/gaps.xlsx", map_views.gaps_export, name="gaps_export"),
]
