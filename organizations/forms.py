"""Forms of the organization chain. They parse and validate; the services write."""

from datetime import date
from typing import Any

from django import forms

from accounts.choices import Role, UnitKind
from accounts.models import Unit, User
from core.validators import validate_phone, validate_resident_id
from enterprises.forms import EnterpriseByUsccField, EnterpriseListField, VersionedForm
from enterprises.listing import style_form
from enterprises.models import Enterprise
from organizations.models import (
    CommandoTeam,
    KeyProject,
    MentoringPair,
    Pairing,
    PartyMember,
    PartyOrganization,
    PioneerPost,
)

DATE = forms.DateInput(attrs={"type": "date"})


class OrganizationForm(VersionedForm):
    covered = EnterpriseListField(
        label="覆盖企业（统一社会信用代码，每行一个）", required=False, help_text="联合党支部可覆盖多家企业。"
    )

    class Meta:
        model = PartyOrganization
        fields = [
            "name",
            "org_type",
            "formation",
            "parent",
            "chain",
            "management_office",
            "secretary_name",
            "founded_on",
        ]
        widgets = {"founded_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["management_office"].queryset = Unit.objects.filter(kind=UnitKind.MANAGEMENT_OFFICE)  # type: ignore[attr-defined]
        parents = PartyOrganization.objects.order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            self.fields["covered"].initial = list(self.instance.enterprises.order_by("name"))
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class MemberForm(VersionedForm):
    enterprise = EnterpriseByUsccField(label="工作单位（统一社会信用代码）", required=False)

    class Meta:
        model = PartyMember
        fields = ["name", "organization", "enterprise", "post", "joined_on", "id_number", "phone"]
        widgets = {"joined_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.enterprise_id:
            self.initial["enterprise"] = self.instance.enterprise.uscc

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "")
        return validate_resident_id(value) if value else ""

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "")
        return validate_phone(value) if value else ""


class PioneerPostForm(VersionedForm):
    class Meta:
        model = PioneerPost
        fields = ["kind", "name", "organization", "holder", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = PartyMember.objects.select_related("organization").order_by(  # type: ignore[attr-defined]
            "organization__name", "name"
        )
        self.fields["holder"].label_from_instance = lambda m: f"{m.name}（{m.organization.name}）"  # type: ignore[attr-defined]

    def service_fields(self) -> dict[str, Any]:
        fields = super().service_fields()
        holder = fields.get("holder")
        fields["enterprise"] = holder.enterprise if holder is not None else None
        return fields


class CommandoTeamForm(VersionedForm):
    milestone_lines = forms.CharField(
        label="攻坚节点（每行“YYYY-MM-DD 节点名称”）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="例如：2026-12-31 完成中试",
    )

    class Meta:
        model = CommandoTeam
        fields = ["name", "organization", "enterprise", "goal", "status", "outcome", "members"]
        widgets = {"goal": forms.Textarea(attrs={"rows": 2}), "outcome": forms.Textarea(attrs={"rows": 2})}

    enterprise = EnterpriseByUsccField(label="企业（统一社会信用代码）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["members"].queryset = PartyMember.objects.filter(  # type: ignore[attr-defined]
                organization=self.instance.organization
            ).order_by("name")
            if self.instance.enterprise_id:
                self.initial["enterprise"] = self.instance.enterprise.uscc
            self.fields["milestone_lines"].label = "新增攻坚节点（每行“YYYY-MM-DD 节点名称”）"
        else:
            del self.fields["members"]  # chosen after creation, from the organization's members

    def clean_milestone_lines(self) -> list[tuple[str, date]]:
        result = []
        for number, line in enumerate((self.cleaned_data.get("milestone_lines") or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            day, _, title = line.partition(" ")
            try:
                due_on = date.fromisoformat(day)
            except ValueError:
                raise forms.ValidationError(f"第 {number} 行的日期“{day}”无法识别，应为 YYYY-MM-DD。") from None
            if not title.strip():
                raise forms.ValidationError(f"第 {number} 行缺少节点名称。")
            result.append((title.strip(), due_on))
        return result


class PairingForm(forms.ModelForm):
    enterprise = EnterpriseByUsccField(label="企业（统一社会信用代码）", required=False)

    class Meta:
        model = Pairing
        fields = ["kind", "staff", "enterprise", "project", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            role__in=[Role.LEADER, Role.INSTRUCTOR], is_active=True
        ).order_by("role", "username")
        self.fields["project"].queryset = KeyProject.objects.order_by("name")  # type: ignore[attr-defined]
        style_form(self)

    def _post_clean(self) -> None:
        # The service validates the pairing (who may pair with what); skip the model's own pass here.
        pass


class PairingEditForm(VersionedForm):
    class Meta:
        model = Pairing
        fields = ["starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}


class VisitForm(forms.Form):
    """An instructor picks one of their paired enterprises; an admin names the instructor and the enterprise."""

    instructor = forms.ModelChoiceField(label="指导员", queryset=User.objects.none())
    enterprise = forms.ModelChoiceField(label="企业", queryset=Enterprise.objects.none())
    visited_on = forms.DateField(label="走访日期", widget=DATE)
    summary = forms.CharField(label="走访情况", widget=forms.Textarea(attrs={"rows": 3}))
    findings = forms.CharField(label="发现的问题/诉求", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, user: Any, paired: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.role == Role.INSTRUCTOR:
            del self.fields["instructor"]
            self.fields["enterprise"].queryset = paired  # type: ignore[attr-defined]
        else:
            self.fields["instructor"].queryset = User.objects.filter(  # type: ignore[attr-defined]
                role=Role.INSTRUCTOR, is_active=True
            ).order_by("username")
            self.fields["enterprise"] = EnterpriseByUsccField(label="企业（统一社会信用代码）")
        style_form(self)


class MentoringForm(forms.ModelForm):
    mentee = EnterpriseByUsccField(label="成长型企业（统一社会信用代码）")

    class Meta:
        model = MentoringPair
        fields = ["mentee", "mentor", "starts_on", "ends_on", "goals"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "goals": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = Enterprise.objects.filter(is_leading=True).order_by("name")  # type: ignore[attr-defined]
        style_form(self)

    def _post_clean(self) -> None:
        pass  # the service validates the pair


class MentoringEditForm(VersionedForm):
    class Meta:
        model = MentoringPair
        fields = ["starts_on", "ends_on", "goals"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "goals": forms.Textarea(attrs={"rows": 3})}
