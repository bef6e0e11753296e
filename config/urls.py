from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:home", permanent=False), name="root"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", api.urls),
    path("enterprises/", include("enterprises.urls")),
    path("chains/map/", include("chains.map_urls")),
    path("chains/", include("chains.urls")),
    path("organizations/", include("organizations.urls")),
    path("services/", include("service_requests.urls")),
    path("matching/", include("matching.urls")),
    path("investment/", include("investment.urls")),
    path("talent/", include("talent.urls")),
    path("cockpit/", include("cockpit.urls")),
    path("core/", include("core.urls")),
]
