"""Postings (needs, capabilities, technology demands and offers), the engine's suggestions, roundtables and the
agreements they produce, tracked to results."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from matching.choices import (
    INSTITUTION_KINDS,
    AgreementStatus,
    InvitationStatus,
    PostingCategory,
    PostingKind,
    PostingSource,
    PostingStatus,
    RoundtableStatus,
    SuggestionStatus,
)


class Posting(TimeStampedModel):
    """需求/供给(能力)/技术需求/科技成果 — what a firm or research institution publishes for matching.

    Title, text, category, chain link, code, region and validity are the public side; the contact and the internal
    note are seen only by the owner and the staff who work with them.
    """

    kind = models.CharField(_("类型"), max_length=20, choices=PostingKind.choices, db_index=True)
    title = models.CharField(_("标题"), max_length=120)
    text = models.TextField(_("内容"))
    category = models.CharField(_("类别"), max_length=20, choices=PostingCategory.choices)
    chain = models.ForeignKey(
        "chains.Chain", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("产业链")
    )
    link = models.ForeignKey(
        "chains.Link", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("环节")
    )
    industry_code = models.CharField(_("行业代码"), max_length=5, blank=True, help_text=_("GB/T 4754"))
    region = models.CharField(_("地区"), max_length=50, blank=True)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=PostingStatus.choices, default=PostingStatus.OPEN, db_index=True
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="postings",
        verbose_name=_("发布企业"),
    )
    institution = models.ForeignKey(
        "enterprises.ResearchInstitution",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="postings",
        verbose_name=_("发布机构"),
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    internal_note = models.TextField(_("内部备注"), blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=PostingSource.choices, default=PostingSource.OWNER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The engine's stored inputs: tokens when the text changes; once per text (background task) the passage vector
    # (what the index holds) and the query vector (what matching this posting against the others sends, so that
    # the request path never runs the model for a posting), both of the text whose hash is `embedded_text_hash`.
    tokens = models.JSONField(_("分词"), default=list, blank=True, editable=False)
    embedding = models.BinaryField(_("向量"), null=True, blank=True, editable=False)
    query_embedding = models.BinaryField(_("查询向量"), null=True, blank=True, editable=False)
    embedded_text_hash = models.CharField(max_length=64, blank=True, editable=False)
    index_version = models.BigIntegerField(_("索引版本"), default=0, db_index=True, editable=False)

    class Meta:
        verbose_name = _("对接信息")
        verbose_name_plural = _("对接信息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "kind", "-created_at"], name="posting_status_kind_new"),
            # The cockpit's {kind: n} of postings created in a period (`selectors.innovation_figures`), whole area or
            # one chain: an index-only scan of the period's range instead of a scan of the table.
            models.Index(fields=["created_at", "kind", "chain", "id"], name="posting_created_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(enterprise__isnull=False) & models.Q(institution__isnull=True))
                | (models.Q(enterprise__isnull=True) & models.Q(institution__isnull=False)),
                name="posting_has_one_owner",
                violation_error_message=_("发布方须为一家企业或一家科研机构。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.kind in INSTITUTION_KINDS and self.institution_id is None:
            raise ValidationError({"institution": _("科技成果须由科研机构发布。")})
        if self.kind not in INSTITUTION_KINDS and self.enterprise_id is None:
            raise ValidationError({"enterprise": _("该类信息须由企业发布。")})
        if self.link is not None and self.chain_id and self.link.chain_id != self.chain_id:
            raise ValidationError({"link": _("环节不属于所选产业链。")})
        if self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("有效期至不能早于有效期起。")})

    @property
    def owner(self) -> object:
        return self.enterprise if self.enterprise_id else self.institution

    @property
    def owner_name(self) -> str:
        owner = self.owner
        return str(owner) if owner is not None else ""

    def index_text(self) -> str:
        """The text the engine reads: the title weighs twice."""
        return f"{self.title}。{self.title}。{self.text}"


class Synonym(models.Model):
    """同义词 — one canonical term and its variants, folded together before BM25 (editable data)."""

    term = models.CharField(_("标准词"), max_length=40, unique=True)
    variants = models.CharField(_("同义词"), max_length=300, help_text=_("以逗号分隔"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("同义词")
        verbose_name_plural = _("同义词")
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term

    def variant_list(self) -> list[str]:
        return [v.strip() for v in self.variants.replace("，", ",").split(",") if v.strip()]


class IndexState(models.Model):
    """The engine's version stamp, in the database so every process agrees when its cached index is stale."""

    name = models.CharField(max_length=30, unique=True)
    version = models.BigIntegerField(default=0)
    vocabulary_version = models.BigIntegerField(default=0)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("索引状态")
        verbose_name_plural = _("索引状态")

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"


class Suggestion(models.Model):
    """推荐 — the engine proposes `target` for `source`, with the score's components stored for explanation."""

    source = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("本方"))
    target = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="+", verbose_name=_("推荐对象"))
    rank = models.PositiveSmallIntegerField(_("排名"))
    score = models.FloatField(_("得分"))
    components = models.JSONField(_("得分构成"), default=dict)
    status = models.CharField(
        _("状态"), max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.PROPOSED, db_index=True
    )
    feedback = models.CharField(_("反馈"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("匹配推荐")
        verbose_name_plural = _("匹配推荐")
        ordering = ["source", "rank"]
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="unique_suggestion_pair")]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class Roundtable(TimeStampedModel):
    """党建圆桌会 — a meeting of upstream and downstream firms on a theme, for supply–demand docking."""

    theme = models.CharField(_("主题"), max_length=120)
    chain = models.ForeignKey("chains.Chain", on_delete=models.PROTECT, related_name="+", verbose_name=_("产业链"))
    link = models.ForeignKey(
        "chains.Link", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("环节")
    )
    held_on = models.DateField(_("日期"), db_index=True)
    venue = models.CharField(_("地点"), max_length=120)
    host_organization = models.ForeignKey(
        "organizations.PartyOrganization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("主办党组织"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=RoundtableStatus.choices, default=RoundtableStatus.PLANNED
    )
    minutes = models.TextField(_("会议纪要"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("党建圆桌会")
        verbose_name_plural = _("党建圆桌会")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.theme


class Invitation(models.Model):
    """An enterprise or institution invited to a roundtable, with the reason and its attendance."""

    roundtable = models.ForeignKey(
        Roundtable, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("圆桌会")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    institution = models.ForeignKey(
        "enterprises.ResearchInstitution", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("邀请理由"), max_length=300, blank=True)
    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("来自推荐")
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=InvitationStatus.choices, default=InvitationStatus.INVITED
    )

    class Meta:
        verbose_name = _("邀请")
        verbose_name_plural = _("邀请")
        ordering = ["roundtable", "id"]
        constraints = [
            models.UniqueConstraint(fields=["roundtable", "enterprise"], name="unique_invitation_enterprise"),
            models.UniqueConstraint(fields=["roundtable", "institution"], name="unique_invitation_institution"),
            models.CheckConstraint(
                condition=(models.Q(enterprise__isnull=False) & models.Q(institution__isnull=True))
                | (models.Q(enterprise__isnull=True) & models.Q(institution__isnull=False)),
                name="invitation_has_one_invitee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.roundtable} · {self.invitee}"

    @property
    def invitee(self) -> object:
        return self.enterprise if self.enterprise_id else self.institution


class Agreement(TimeStampedModel):
    """合作事项 — what a roundtable (or a pair found by the engine) agreed, tracked to a result."""

    roundtable = models.ForeignKey(
        Roundtable,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreements",
        verbose_name=_("圆桌会"),
    )
    title = models.CharField(_("事项"), max_length=120)
    content = models.TextField(_("内容"))
    enterprises = models.ManyToManyField(
        "enterprises.Enterprise", blank=True, related_name="matching_agreements", verbose_name=_("参与企业")
    )
    institutions = models.ManyToManyField(
        "enterprises.ResearchInstitution", blank=True, related_name="+", verbose_name=_("参与机构")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("责任人"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.NOT_STARTED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0, validators=[MaxValueValidator(100)])
    due_on = models.DateField(_("计划完成"), null=True, blank=True)
    source_suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("来自推荐")
    )
    service_request_ref = models.CharField(_("服务链诉求编号"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("合作事项")
        verbose_name_plural = _("合作事项")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AgreementUpdate(models.Model):
    """One entry of an agreement's timeline: a status and progress with what happened (cf. Decidim accountability)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=AgreementStatus.choices)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), validators=[MaxValueValidator(100)])
    note = models.TextField(_("进展说明"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("进展")
        verbose_name_plural = _("进展")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.agreement} {self.progress}%"
