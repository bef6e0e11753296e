from django.urls import path

from service_requests import views

app_name = "service_requests"
urlpatterns = [
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/<int:service_id>/order/", views.order, name="order"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/similar/", views.similar, name="similar"),
    path("needs/from-visit/<int:visit_id>/", views.need_from_visit, name="need_from_visit"),
    path("intake/", views.intake, name="intake"),
    path("intake/service-fields/", views.service_fields, name="service_fields"),
    path("requests/", views.workbench, name="workbench"),
    path("requests/bulk-dispatch/", views.bulk_dispatch, name="bulk_dispatch"),
    path("requests/<int:pk>/", views.detail, name="detail"),
    path("requests/<int:pk>/actions/<slug:action>/", views.act, name="act"),
    path("problems/", views.problems, name="problems"),
    path("results/", views.results, name="results"),
    path("snapshots/", views.snapshot_list, name="snapshots"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot_detail"),
    path("metrics/", views.metrics, name="metrics"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/new/", views.delivery_new, name="delivery_new"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/<slug:action>/", views.notice_act, name="notice_act"),
    path("inbox/", views.inbox, name="inbox"),
]
