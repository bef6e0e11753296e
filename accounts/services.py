"""Writes on users and tokens."""

from typing import Any

from django.db import transaction

from accounts.models import ApiToken, User
from core.services import audit_record


@transaction.atomic
def user_create(*, actor: Any, username: str, password: str | None, role: str, **fields: Any) -> User:
    user = User(username=username, role=role, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=actor, action="user.create", target=user, summary=f"创建用户 {username}", role=role)
    return user


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token and return it with its plain value, which is shown once and never stored."""
    plain = ApiToken.new_token()
    token = ApiToken.objects.create(user=user, name=name, digest=ApiToken.digest_of(plain), prefix=plain[:8])
    audit_record(actor=actor, action="api_token.create", target=token, summary=f"为 {user.username} 创建 API 令牌")
    return token, plain
