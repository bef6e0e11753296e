"""The cockpit's filter: period (month, quarter, year to date, year, custom), chain, management office."""

from typing import Any

from django import forms
from django.utils import timezone

from accounts.choices import UnitKind
from accounts.models import Unit
from chains.models import Chain
from chains.selectors import chains_visible_to
from cockpit.periods import Period, PeriodError, period_from_params
from cockpit.scope import Scope, scope_for, sees_whole_area
from enterprises.selectors import office_of

PERIOD_KINDS = [
    ("ytd", "本年累计"),
    ("month", "月度"),
    ("quarter", "季度"),
    ("year", "全年"),
    ("custom", "自定义"),
]


class CockpitFilterForm(forms.Form):
    period = forms.ChoiceField(label="期间", choices=PERIOD_KINDS, required=False)
    year = forms.IntegerField(label="年份", min_value=1900, max_value=9999, required=False)
    month = forms.CharField(label="月份", required=False, widget=forms.DateInput(attrs={"type": "month"}))
    quarter = forms.CharField(label="季度", required=False, help_text="如 2026-Q3")
    start = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    chain = forms.ModelChoiceField(
        label="产业链", queryset=Chain.objects.none(), required=False, to_field_name="code", empty_label="全部产业链"
    )
    office = forms.ModelChoiceField(
        label="管理处", queryset=Unit.objects.none(), required=False, empty_label="全部管理处"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault(
            "initial", {"period": "ytd", "year": today.year, "month": f"{today.year:04d}-{today.month:02d}"}
        )
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["chain"].queryset = chains_visible_to(user)  # type: ignore[attr-defined]
        offices = Unit.objects.filter(kind=UnitKind.MANAGEMENT_OFFICE).order_by("name")
        if not sees_whole_area(user):
            own = office_of(user)
            offices = offices.filter(pk=own.pk) if own is not None else offices.none()
        self.fields["office"].queryset = offices  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("id", f"filter-{name}")
        self.period_obj: Period | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        params = {
            "period": data.get("period") or "ytd",
            "year": data.get("year"),
            "month": data.get("month"),
            "quarter": data.get("quarter"),
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
        }
        try:
            self.period_obj = period_from_params(params, today=timezone.localdate())
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None
        return data

    def scope(self) -> Scope:
        """The scope asked for (call after is_valid())."""
        assert self.period_obj is not None
        return scope_for(
            self.user, self.period_obj, chain=self.cleaned_data.get("chain"), office=self.cleaned_data.get("office")
        )


def default_scope(user: Any) -> Scope:
    return scope_for(user, period_from_params({}, today=timezone.localdate()))
