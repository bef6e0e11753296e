from django.urls import path

from matching import views

app_name = "matching"
urlpatterns = [
    path("", views.posting_list, name="posting_list"),
    path("postings/new/", views.posting_create, name="posting_create"),
    path("postings/<int:pk>/", views.posting_detail, name="posting_detail"),
    path("postings/<int:pk>/edit/", views.posting_edit, name="posting_edit"),
    path("postings/<int:pk>/status/", views.posting_status, name="posting_status"),
    path("postings/<int:pk>/refresh/", views.posting_refresh, name="posting_refresh"),
    path("suggestions/", views.suggestion_list, name="suggestion_list"),
    path("suggestions/<int:pk>/decide/", views.suggestion_decide, name="suggestion_decide"),
    path("roundtables/", views.roundtable_list, name="roundtable_list"),
    path("roundtables/new/", views.roundtable_create, name="roundtable_create"),
    path("roundtables/<int:pk>/", views.roundtable_detail, name="roundtable_detail"),
    path("roundtables/<int:pk>/invite/", views.roundtable_invite, name="roundtable_invite"),
    path("roundtables/<int:pk>/minutes/", views.roundtable_minutes, name="roundtable_minutes"),
    path("roundtables/<int:pk>/agreements/", views.agreement_create, name="agreement_create"),
    path("invitations/<int:pk>/status/", views.invitation_status, name="invitation_status"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/progress/", views.agreement_progress, name="agreement_progress"),
    path("agreements/<int:pk>/service-need/", views.agreement_service_need, name="agreement_service_need"),
    path("mentoring/", views.mentoring_list, name="mentoring_list"),
    path("mentoring/accept/", views.mentoring_accept, name="mentoring_accept"),
]
