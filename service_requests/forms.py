"""Forms of the service chain: intake, the catalog's per-service fields (built from data), actions, periods."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from accounts.choices import UnitKind
from accounts.models import Unit
from chains.models import Chain
from enterprises.models import Enterprise
from service_requests.choices import RATING_CHOICES, Channel, DeliveryKind, FieldType, Kind, Topic
from service_requests.models import Service

_BS = {"class": "form-control"}
_SELECT = {"class": "form-select"}


class NeedForm(forms.Form):
    """An enterprise's need, submitted online."""

    title = forms.CharField(label="诉求标题", max_length=150, widget=forms.TextInput(attrs=_BS))
    topic = forms.ChoiceField(label="类别", choices=Topic.choices, widget=forms.Select(attrs=_SELECT))
    description = forms.CharField(label="具体情况", required=False, widget=forms.Textarea(attrs={**_BS, "rows": 4}))
    contact_name = forms.CharField(label="联系人", max_length=50, required=False, widget=forms.TextInput(attrs=_BS))
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs=_BS))


class StaffIntakeForm(forms.Form):
    """Window, hotline, visit or roundtable intake by staff: a need, or a matter from the catalog."""

    enterprise: forms.ModelChoiceField = forms.ModelChoiceField(
        label="企业", queryset=Enterprise.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    kind = forms.ChoiceField(label="类型", choices=Kind.choices, widget=forms.Select(attrs=_SELECT))
    channel = forms.ChoiceField(
        label="渠道",
        choices=[(c.value, c.label) for c in Channel if c != Channel.ONLINE],
        widget=forms.Select(attrs=_SELECT),
    )
    service = forms.ModelChoiceField(
        label="帮办服务（办事事项必选）",
        queryset=Service.objects.filter(is_active=True).select_related("category"),
        required=False,
        widget=forms.Select(attrs=_SELECT),
    )
    title = forms.CharField(label="标题", max_length=150, required=False, widget=forms.TextInput(attrs=_BS))
    topic = forms.ChoiceField(label="诉求类别", choices=Topic.choices, widget=forms.Select(attrs=_SELECT))
    description = forms.CharField(label="内容", required=False, widget=forms.Textarea(attrs={**_BS, "rows": 3}))

    def __init__(self, *args: Any, enterprises: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises.select_related(None).only("pk", "name", "short_name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Kind.MATTER:
            if not data.get("service"):
                self.add_error("service", "办事事项须选择帮办服务。")
            if data.get("channel") != Channel.WINDOW:
                self.add_error("channel", "办事事项由惠企专窗登记。")
        elif not (data.get("title") or "").strip():
            self.add_error("title", "请填写诉求标题。")
        return data


class VisitNeedForm(forms.Form):
    title = forms.CharField(label="诉求标题", max_length=150, widget=forms.TextInput(attrs=_BS))
    topic = forms.ChoiceField(label="类别", choices=Topic.choices, widget=forms.Select(attrs=_SELECT))
    description = forms.CharField(label="走访发现", widget=forms.Textarea(attrs={**_BS, "rows": 4}))


def service_form_class(service: Service) -> type[forms.Form]:
    """A form with the service's extra fields (defined as data); the service layer re-validates the values."""
    fields: dict[str, forms.Field] = {}
    for spec in service.extra_fields:
        common = {"label": spec["label"], "required": spec.get("required", False), "help_text": spec.get("help", "")}
        kind = spec["type"]
        field: forms.Field
        if kind == FieldType.TEXTAREA:
            field = forms.CharField(
                max_length=spec.get("max_length"), widget=forms.Textarea(attrs={**_BS, "rows": 3}), **common
            )
        elif kind == FieldType.NUMBER:
            field = forms.DecimalField(widget=forms.NumberInput(attrs=_BS), **common)
        elif kind == FieldType.DATE:
            field = forms.DateField(widget=forms.DateInput(attrs={**_BS, "type": "date"}), **common)
        elif kind == FieldType.CHOICE:
            field = forms.ChoiceField(
                choices=[("", "—")] + [(c, c) for c in spec["choices"]], widget=forms.Select(attrs=_SELECT), **common
            )
        elif kind == FieldType.BOOL:
            common["required"] = False
            field = forms.BooleanField(widget=forms.CheckboxInput(attrs={"class": "form-check-input"}), **common)
        else:
            field = forms.CharField(max_length=spec.get("max_length"), widget=forms.TextInput(attrs=_BS), **common)
        fields[spec["name"]] = field
    return type("ServiceOrderForm", (forms.Form,), fields)


def form_values(form: forms.Form) -> dict[str, Any]:
    """The cleaned values as JSON-ready data for the service layer."""
    result: dict[str, Any] = {}
    for key, value in form.cleaned_data.items():
        if isinstance(value, date):
            result[key] = value.isoformat()
        elif value is None:
            continue
        else:
            result[key] = str(value) if not isinstance(value, (bool, int, str)) else value
    return result


class ActionForm(forms.Form):
    """Every input an action may take; the workflow service decides which are required for which action."""

    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label="理由", max_length=300, required=False)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    internal = forms.BooleanField(label="内部备注（企业不可见）", required=False)
    lead_unit = forms.ModelChoiceField(label="主办单位", queryset=Unit.objects.all(), required=False)
    co_units = forms.ModelMultipleChoiceField(label="协办单位", queryset=Unit.objects.all(), required=False)
    sign_workdays = forms.IntegerField(label="签收时限（工作日）", min_value=1, max_value=10, required=False)
    workdays = forms.IntegerField(label="延期工作日", min_value=1, max_value=30, required=False)
    resolution = forms.CharField(label="办理结果", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label="佐证材料", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    rating = forms.TypedChoiceField(label="评价", choices=[("", "—"), *RATING_CHOICES], coerce=int, required=False)
    comment = forms.CharField(label="评价意见", max_length=300, required=False)
    target = forms.IntegerField(label="并入诉求编号（ID）", required=False)

    def inputs(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "expected_version" and v not in (None, "", False)}
        if "co_units" in data:
            data["co_units"] = list(data["co_units"])
            if not data["co_units"]:
                del data["co_units"]
        return data


class BulkDispatchForm(forms.Form):
    ids = forms.CharField(widget=forms.HiddenInput, required=False)
    lead_unit = forms.ModelChoiceField(
        label="主办单位",
        queryset=Unit.objects.exclude(kind=UnitKind.WINDOW),
        widget=forms.Select(attrs=_SELECT),
    )


class PeriodForm(forms.Form):
    start = forms.DateField(label="起", required=False, widget=forms.DateInput(attrs={**_BS, "type": "date"}))
    end = forms.DateField(label="止", required=False, widget=forms.DateInput(attrs={**_BS, "type": "date"}))
    chain: forms.ModelChoiceField = forms.ModelChoiceField(
        label="产业链", queryset=Chain.objects.all(), required=False, widget=forms.Select(attrs=_SELECT)
    )
    unit = forms.ModelChoiceField(
        label="责任单位",
        queryset=Unit.objects.exclude(kind=UnitKind.MANAGEMENT_OFFICE),
        required=False,
        widget=forms.Select(attrs=_SELECT),
    )
    office = forms.ModelChoiceField(
        label="管理处",
        queryset=Unit.objects.filter(kind=UnitKind.MANAGEMENT_OFFICE),
        required=False,
        widget=forms.Select(attrs=_SELECT),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def period(self) -> tuple[date, date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end.replace(day=1)
        return (start, end) if start <= end else (end, start)

    def scope(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {k: data.get(k) for k in ("chain", "unit", "office")}


class DeliveryForm(forms.Form):
    enterprise: forms.ModelChoiceField = forms.ModelChoiceField(
        label="企业", queryset=Enterprise.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    kind = forms.ChoiceField(label="类型", choices=DeliveryKind.choices, widget=forms.Select(attrs=_SELECT))
    delivered_on = forms.DateField(label="服务日期", widget=forms.DateInput(attrs={**_BS, "type": "date"}))
    title = forms.CharField(label="主题", max_length=150, widget=forms.TextInput(attrs=_BS))
    summary = forms.CharField(label="服务内容", required=False, widget=forms.Textarea(attrs={**_BS, "rows": 3}))
    amount_wan = forms.DecimalField(
        label="金额（万元，信贷支持）",
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs=_BS),
    )

    def __init__(self, *args: Any, enterprises: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises.select_related(None).only("pk", "name", "short_name")  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复", widget=forms.Textarea(attrs={**_BS, "rows": 2}))
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
