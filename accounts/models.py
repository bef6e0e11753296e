"""Users, their roles and what they are bound to (an enterprise, a unit); API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import AREA_WIDE_ROLES, STAFF_ROLES, Role, UnitKind


class Unit(models.Model):
    """单位 — a department, management office (管理处), sector desk (药管家/剧管家) or window that handles work."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("上级单位"))
    phone = models.CharField(_("电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in. The role decides what they see; enterprise users are bound to exactly one enterprise."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE, db_index=True)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("所属企业"),
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("所属单位")
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="enterprise") | models.Q(enterprise__isnull=False),
                name="enterprise_user_has_enterprise",
                violation_error_message=_("企业用户必须绑定一家企业。"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.ENTERPRISE and self.enterprise_id is None:
            raise ValidationError({"enterprise": _("企业用户必须绑定一家企业。")})
        if self.role != Role.ENTERPRISE and self.enterprise_id is not None:
            raise ValidationError({"enterprise": _("只有企业用户可以绑定企业。")})
        if self.role == Role.HANDLER and self.unit_id is None:
            raise ValidationError({"unit": _("承办单位人员必须绑定一个单位。")})

    @property
    def is_area_wide(self) -> bool:
        """Admins, leaders and supervisors see the whole area."""
        return self.is_superuser or self.role in AREA_WIDE_ROLES

    @property
    def is_staff_role(self) -> bool:
        return self.is_superuser or self.role in STAFF_ROLES

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored; the token is shown once when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("名称"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return "ls_" + secrets.token_urlsafe(32)
