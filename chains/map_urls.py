from django.urls import path  # noqa: F401

app_name = "chain_map"
urlpatterns: list = []
