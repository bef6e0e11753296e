"""/api/v1/accounts/: who am I."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    enterprise_id: int | None
    enterprise: str | None
    unit_id: int | None
    unit: str | None
    is_area_wide: bool


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "role_label": str(user.get_role_display()),
        "enterprise_id": user.enterprise_id,
        "enterprise": user.enterprise.name if user.enterprise_id else None,
        "unit_id": user.unit_id,
        "unit": user.unit.name if user.unit_id else None,
        "is_area_wide": user.is_area_wide,
    }
