from django.db import models
from django.utils.translation import gettext_lazy as _


class PostingKind(models.TextChoices):
    NEED = "need", _("需求")
    CAPABILITY = "capability", _("供给能力")
    TECH_DEMAND = "tech_demand", _("技术需求")
    TECH_OFFER = "tech_offer", _("科技成果")


#: What each kind of posting is matched against (a need meets capabilities, a technology demand meets offers
#: and firms' capabilities).
COMPLEMENTS: dict[str, tuple[str, ...]] = {
    PostingKind.NEED: (PostingKind.CAPABILITY,),
    PostingKind.CAPABILITY: (PostingKind.NEED, PostingKind.TECH_DEMAND),
    PostingKind.TECH_DEMAND: (PostingKind.TECH_OFFER, PostingKind.CAPABILITY),
    PostingKind.TECH_OFFER: (PostingKind.TECH_DEMAND,),
}
#: Kinds published by research institutions; every other kind is published by an enterprise.
INSTITUTION_KINDS = frozenset({PostingKind.TECH_OFFER})


class PostingCategory(models.TextChoices):
    TECHNOLOGY = "technology", _("技术研发")
    PRODUCTION = "production", _("生产制造")
    SUPPLY = "supply", _("原料与供应链")
    MARKET = "market", _("市场与渠道")
    DATA = "data", _("数据与算力")
    TALENT = "talent", _("人才")
    FINANCE = "finance", _("资金")
    SERVICE = "service", _("检测认证与服务")


class PostingStatus(models.TextChoices):
    OPEN = "open", _("发布中")
    MATCHED = "matched", _("已对接")
    CLOSED = "closed", _("已关闭")


class PostingSource(models.TextChoices):
    OWNER = "owner", _("本单位发布")
    INSTRUCTOR = "instructor", _("指导员代发")
    IMPORT = "import", _("Excel 导入")
    STAFF = "staff", _("工作人员录入")


class SuggestionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待处理")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已谢绝")


class RoundtableStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("已邀请")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("婉拒")
    ATTENDED = "attended", _("已出席")
    ABSENT = "absent", _("缺席")


class AgreementStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    STALLED = "stalled", _("受阻")
    COMPLETED = "completed", _("已落地")
    CANCELLED = "cancelled", _("已终止")
