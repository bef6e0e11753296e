"""Forms: the register, policy versions (the rule tree validated as data), review, sandbox, claims, objections."""

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms

from enterprises.models import Enterprise
from talent import engine
from talent.choices import EventKind
from talent.models import Parameter, Talent
from talent.rules import RuleError, parse_policy


class TalentForm(forms.ModelForm):
    class Meta:
        model = Talent
        fields = [
            "name",
            "id_number",
            "education",
            "title",
            "category",
            "employer",
            "start_date",
            "social_insurance_months",
            "housing_status",
            "annual_salary_wan",
        ]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, employers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["employer"]).queryset = (
            employers if employers is not None else Enterprise.objects.all()
        )
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def _post_clean(self) -> None:
        # Validation (ID number, birth date) runs in the service; skip the model's full_clean here.
        pass


class JSONTextField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 12, "class": "form-control font-monospace"})

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        try:
            return json.loads(text or "")
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"不是合法的 JSON：第 {error.lineno} 行第 {error.colno} 列，{error.msg}。"
            ) from None

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)


class PolicyVersionForm(forms.Form):
    legal_reference = forms.CharField(label="文号", max_length=100)
    article = forms.CharField(label="条款", max_length=50, required=False)
    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    effective_to = forms.DateField(label="失效日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    rule = JSONTextField(label="条件树（JSON）")
    amount = JSONTextField(label="金额规则（JSON）")

    def __init__(self, *args: Any, target: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        for name in ("legal_reference", "article", "effective_from", "effective_to"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "rule" in data and "amount" in data:
            known = set(Parameter.objects.values_list("code", flat=True))
            try:
                parse_policy(self.target, data["rule"], data["amount"], known_params=known)
            except RuleError as error:
                for message in error.messages:
                    self.add_error(None, message)
        return data


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "核准发放"), ("hold", "暂缓")])
    reason = forms.CharField(label="暂缓原因", max_length=200, required=False)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        cast(forms.ChoiceField, self.fields["ids"]).choices = [(v, v) for v in raw if str(v).isdigit()]


class PeriodForm(forms.Form):
    period = forms.CharField(label="期间（YYYY-MM）", max_length=7)

    def clean_period(self) -> date:
        try:
            return engine.parse_period(self.cleaned_data["period"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class SandboxForm(forms.Form):
    start = forms.CharField(label="起始期间（YYYY-MM）", max_length=7)
    months = forms.IntegerField(label="月数", min_value=1, max_value=24, initial=12)

    def __init__(self, *args: Any, parameters: list[Parameter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parameters = parameters
        for parameter in parameters:
            self.fields[f"p_{parameter.code}"] = forms.CharField(
                label=f"{parameter.name}（{parameter.unit}）" if parameter.unit else parameter.name, required=False
            )
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean_start(self) -> date:
        try:
            return engine.parse_period(self.cleaned_data["start"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def overrides(self) -> dict[str, Decimal]:
        result = {}
        for parameter in self.parameters:
            raw = (self.cleaned_data.get(f"p_{parameter.code}") or "").strip()
            if raw:
                try:
                    result[parameter.code] = Decimal(raw)
                except InvalidOperation:
                    self.add_error(f"p_{parameter.code}", "请输入数字。")
        return result


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label="异议理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )


class EventForm(forms.Form):
    title = forms.CharField(label="活动名称", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=EventKind.choices)
    held_on = forms.DateField(label="举办日期", widget=forms.DateInput(attrs={"type": "date"}))
    partner = forms.CharField(label="合作院校/机构", max_length=100, required=False)
    participants = forms.IntegerField(label="参加人数", min_value=0, initial=0)
