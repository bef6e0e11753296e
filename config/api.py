"""The JSON API at /api/v1/: one router per app, session or bearer-token auth, OpenAPI at /api/v1/openapi.json."""

from ninja import NinjaAPI
from ninja.security import django_auth

from accounts.api_auth import BearerTokenAuth

api = NinjaAPI(
    title="链上 API",
    version="1",
    description="链上产业链党建平台接口。所有接口需登录（会话）或 Bearer 令牌（manage.py create_api_token）。",
    auth=[BearerTokenAuth(), django_auth],
    urls_namespace="api",
)


def _add_routers() -> None:
    from accounts.api import router as accounts_router
    from chains.api import router as chains_router
    from chains.map_api import router as chain_map_router
    from cockpit.api import router as cockpit_router
    from enterprises.api import router as enterprises_router
    from investment.api import router as investment_router
    from matching.api import router as matching_router
    from organizations.api import router as organizations_router
    from service_requests.api import alias_router as service_requests_alias_router
    from service_requests.api import router as service_requests_router
    from talent.api import router as talent_router

    api.add_router("/accounts/", accounts_router)
    api.add_router("/enterprises/", enterprises_router)
    api.add_router("/chains/", chains_router)
    api.add_router("/chain-map/", chain_map_router)
    api.add_router("/organizations/", organizations_router)
    api.add_router("/services/", service_requests_router)
    api.add_router("/service-requests/", service_requests_alias_router)
    api.add_router("/matching/", matching_router)
    api.add_router("/investment/", investment_router)
    api.add_router("/talent/", talent_router)
    api.add_router("/cockpit/", cockpit_router)


_add_routers()
