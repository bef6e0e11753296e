from typing import Any

from django import forms

from chains.models import Link
from investment.choices import Stage
from investment.models import InvestmentTeam, Project, PromotionEvent, TargetCompany
from investment.selectors import editable_team_ids


def _bootstrap(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "investor", "target", "team", "chain", "links", "source_event", "amount_wan", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "links": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = InvestmentTeam.objects.filter(pk__in=editable_team_ids(user))  # type: ignore[attr-defined]
        self.fields["links"].queryset = Link.objects.select_related("chain").order_by("chain__sort_order", "sort_order")  # type: ignore[attr-defined]
        self.fields["links"].required = False
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chain, links = data.get("chain"), data.get("links") or []
        if any(chain is None or link.chain_id != chain.pk for link in links):
            self.add_error("links", "补链环节必须属于所选产业链。")
        return data


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(label="变更为", choices=Stage.choices)
    on = forms.DateField(label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="终止原因", required=False, max_length=300)
    note = forms.CharField(label="说明", required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, allowed: list[Stage] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["to_stage"].choices = [(s.value, s.label) for s in allowed]  # type: ignore[attr-defined]
        _bootstrap(self)


class TargetCompanyForm(forms.ModelForm):
    class Meta:
        model = TargetCompany
        fields = [
            "name",
            "uscc",
            "region",
            "industry_code",
            "products",
            "description",
            "is_listed",
            "is_specialized",
            "is_high_tech",
            "other_tags",
            "contact_name",
            "contact_title",
            "contact_phone",
            "contact_email",
        ]
        widgets = {"products": forms.Textarea(attrs={"rows": 2}), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class PromotionEventForm(forms.ModelForm):
    class Meta:
        model = PromotionEvent
        fields = ["name", "kind", "held_on", "city", "chain", "team", "description"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"}), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)
