from django.urls import path

from core import views

app_name = "core"
urlpatterns = [
    path("imports/", views.imports_index, name="imports"),
    path("imports/export/", views.imports_export, name="imports_export"),
    path("imports/batches/<int:pk>/", views.import_batch, name="import_batch"),
    path("imports/batches/<int:pk>/issues.xlsx", views.import_batch_issues_export, name="import_batch_issues_export"),
    path("imports/batches/<int:pk>/commit/", views.import_batch_commit_view, name="import_batch_commit"),
    path("imports/batches/<int:pk>/discard/", views.import_batch_discard_view, name="import_batch_discard"),
    path("imports/<slug:key>/", views.import_upload, name="import_upload"),
    path("imports/<slug:key>/template.xlsx", views.import_template, name="import_template"),
]
