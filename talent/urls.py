from django.urls import path

from talent import views

app_name = "talent"
urlpatterns = [
    path("", views.talent_list, name="talent_list"),
    path("new/", views.talent_edit, name="talent_create"),
    path("<int:pk>/", views.talent_detail, name="talent_detail"),
    path("<int:pk>/edit/", views.talent_edit, name="talent_edit"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("my/", views.my, name="my"),
    path("entitlements/<int:pk>/object/", views.object_view, name="object"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/versions/<int:number>/publish/", views.policy_publish, name="policy_publish"),
    path("calculator/", views.calculator, name="calculator"),
    path("entitlements/", views.entitlement_list, name="entitlement_list"),
    path("entitlements/review/", views.review, name="review"),
    path("entitlements/sweep/", views.sweep_start, name="sweep_start"),
    path("ledger/", views.ledger, name="ledger"),
    path("sandbox/", views.sandbox, name="sandbox"),
    path("events/", views.event_list, name="event_list"),
]
