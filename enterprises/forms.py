"""Forms of the register. They parse and validate input; the services do the writing."""

from typing import Any

from django import forms

from accounts.choices import UnitKind
from accounts.models import Unit
from core.validators import validate_phone, validate_uscc
from enterprises.listing import style_form
from enterprises.models import Enterprise, ResearchInstitution


class VersionedForm(forms.ModelForm):
    """Carries the record's version so that a stale edit is refused (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version
        style_form(self)

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values to hand to the service (everything but the version)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and k in self._meta.fields}  # type: ignore[operator]


class EnterpriseForm(VersionedForm):
    class Meta:
        model = Enterprise
        fields = [
            "uscc",
            "name",
            "short_name",
            "size_class",
            "industry_code",
            "is_key",
            "is_leading",
            "management_office",
            "address",
            "contact_name",
            "contact_phone",
            "revenue_wan",
            "founded_on",
        ]
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "uscc": "18 位，不使用 I、O、Z、S、V。",
            "industry_code": "GB/T 4754-2017 行业代码；不在参考列表中的代码会提示，但可以保存。",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["management_office"].queryset = Unit.objects.filter(kind=UnitKind.MANAGEMENT_OFFICE)  # type: ignore[attr-defined]

    def clean_uscc(self) -> str:
        return validate_uscc(self.cleaned_data.get("uscc", ""))

    def clean_contact_phone(self) -> str:
        value = self.cleaned_data.get("contact_phone", "")
        return validate_phone(value) if value else ""

    def clean_industry_code(self) -> str:
        return (self.cleaned_data.get("industry_code") or "").strip()


class InstitutionForm(VersionedForm):
    class Meta:
        model = ResearchInstitution
        fields = ["name", "kind", "region", "fields", "contact_name", "contact_phone"]

    def clean_contact_phone(self) -> str:
        value = self.cleaned_data.get("contact_phone", "")
        return validate_phone(value) if value else ""


class EnterpriseByUsccField(forms.CharField):
    """An enterprise of the register entered by its USCC; the error says whether the code or the lookup failed."""

    def __init__(self, *args: Any, queryset: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", "输入企业的统一社会信用代码。")
        super().__init__(*args, **kwargs)
        self.queryset = queryset if queryset is not None else Enterprise.objects.all()

    def prepare_value(self, value: Any) -> Any:
        return value.uscc if isinstance(value, Enterprise) else value

    def clean(self, value: Any) -> Enterprise | None:
        value = super().clean(value)
        if not value:
            return None
        number = validate_uscc(value)
        enterprise = self.queryset.filter(uscc=number).first()
        if enterprise is None:
            raise forms.ValidationError(f"企业库中没有统一社会信用代码为 {number} 的企业，请先登记企业。")
        return enterprise


class EnterpriseListField(forms.CharField):
    """Several enterprises entered by USCC, one per line (or separated by commas)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)) or hasattr(value, "model"):
            return "\n".join(e.uscc if isinstance(e, Enterprise) else str(e) for e in value)
        return value

    def clean(self, value: Any) -> list[Enterprise]:
        value = super().clean(value) or ""
        numbers = []
        for raw in value.replace(",", "\n").replace("，", "\n").split():
            numbers.append(validate_uscc(raw))
        found = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(f"企业库中没有这些统一社会信用代码：{'、'.join(missing)}。")
        return list(dict.fromkeys(found[n] for n in numbers))
