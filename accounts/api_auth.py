"""Bearer-token authentication for the API (tokens from `manage.py create_api_token`)."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from accounts.models import ApiToken


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        digest = ApiToken.digest_of(token)
        api_token = (
            ApiToken.objects.select_related("user", "user__enterprise", "user__unit")
            .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user
