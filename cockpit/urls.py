from django.urls import path

from cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.index, name="index"),
    path("widgets/<slug:key>/", views.widget, name="widget"),
    path("report/", views.report, name="report"),
    path("report/close/", views.report_close, name="report_close"),
]
