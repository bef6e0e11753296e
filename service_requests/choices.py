from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NEED = "need", _("诉求")
    MATTER = "matter", _("办事事项")


class Channel(models.TextChoices):
    ONLINE = "online", _("线上帮办超市")
    WINDOW = "window", _("惠企专窗")
    VISIT = "visit", _("上门走访")
    ROUNDTABLE = "roundtable", _("党建圆桌会")
    HOTLINE = "hotline", _("热线转办")


class Topic(models.TextChoices):
    """The subject of a need (诉求类别)."""

    LABOUR = "labour", _("用工")
    CAPITAL = "capital", _("融资")
    TECHNOLOGY = "technology", _("技术")
    LAND = "land", _("用地")
    POLICY = "policy", _("政策")
    CUSTOMS = "customs", _("通关")
    LIVING = "living", _("生活配套")
    MARKET = "market", _("市场")
    OTHER = "other", _("其他")


class State(models.TextChoices):
    """States of both kinds of record; each kind uses its own subset (see workflow.py)."""

    # needs
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    RETURNED = "returned", _("已退回")
    MERGED = "merged", _("已并单")
    DISPATCHED = "dispatched", _("已派单")
    SIGNED = "signed", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    AWAITING_INFO = "awaiting_info", _("待企业补充")
    RESOLVED = "resolved", _("已办结待评价")
    ESCALATED = "escalated", _("升级督办")
    RATED = "rated", _("已评价待核验")
    VERIFIED = "verified", _("已核验")
    CLOSED = "closed", _("已关闭")
    # matters
    ORDERED = "ordered", _("已下单")
    HANDLED = "handled", _("已办理")
    DONE = "done", _("已办结")
    CANCELLED = "cancelled", _("已取消")
    # a matter that was accepted uses ACCEPTED; a rated matter uses RATED


class DeliveryKind(models.TextChoices):
    POLICY_CONSULTATION = "policy_consultation", _("政策咨询")
    CREDIT_SUPPORT = "credit_support", _("信贷支持")
    SALON = "salon", _("政企沙龙")
    VISIT_SERVICE = "visit_service", _("上门服务")


class NoticeLevel(models.TextChoices):
    REMINDER = "reminder", _("催办")
    YELLOW = "yellow", _("黄牌督办")
    RED = "red", _("红牌督办")


class NoticeState(models.TextChoices):
    ISSUED = "issued", _("已发出")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已关闭")


class Stage(models.TextChoices):
    """Which clock a notice is about."""

    ACCEPT = "accept", _("受理")
    SIGN = "sign", _("签收")
    RESOLVE = "resolve", _("办结")
    MATTER = "matter", _("事项办理")


class SnapshotKind(models.TextChoices):
    PROBLEMS = "problems", _("问题清单")
    RESULTS = "results", _("实效清单")


class FieldType(models.TextChoices):
    """Types of a catalog service's extra form fields."""

    TEXT = "text", _("单行文本")
    TEXTAREA = "textarea", _("多行文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    CHOICE = "choice", _("单选")
    BOOL = "bool", _("是/否")


RATING_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
RATING_CHOICES = list(RATING_LABELS.items())
#: Ratings at or above this count as satisfied; below it a need is reopened.
SATISFIED_FROM = 3
