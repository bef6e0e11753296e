from typing import Any

from django import forms

from chains.models import Chain, Link
from enterprises.models import Enterprise, ResearchInstitution
from matching.choices import INSTITUTION_KINDS, AgreementStatus, InvitationStatus
from matching.models import Agreement, Posting, Roundtable

_DATE = forms.DateInput(attrs={"type": "date"})


class PostingForm(forms.ModelForm):
    class Meta:
        model = Posting
        fields = [
            "kind",
            "title",
            "text",
            "category",
            "chain",
            "link",
            "industry_code",
            "region",
            "valid_from",
            "valid_until",
            "contact_name",
            "contact_phone",
            "internal_note",
            "enterprise",
            "institution",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 5}),
            "internal_note": forms.Textarea(attrs={"rows": 2}),
            "valid_from": _DATE,
            "valid_until": _DATE,
        }

    def __init__(self, *args: Any, enterprises: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chain"].queryset = Chain.objects.all()  # type: ignore[attr-defined]
        self.fields["link"].queryset = Link.objects.select_related("chain")  # type: ignore[attr-defined]
        self.fields["valid_from"].required = False
        if enterprises is None:
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"].queryset = enterprises  # type: ignore[attr-defined]
            self.fields["enterprise"].required = False
            self.fields["institution"].queryset = ResearchInstitution.objects.all()  # type: ignore[attr-defined]
            self.fields["institution"].required = False
        if enterprises is None or editing:
            self.fields.pop("institution", None)
            self.fields.pop("enterprise", None)
        if editing:
            del self.fields["kind"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if "enterprise" in self.fields and kind:
            if kind in INSTITUTION_KINDS and not data.get("institution"):
                self.add_error("institution", "科技成果须选择发布机构。")
            if kind not in INSTITUTION_KINDS and not data.get("enterprise"):
                self.add_error("enterprise", "请选择发布企业。")
        return data

    def _post_clean(self) -> None:
        # Ownership and the posting's own rules are checked by the service (posting_create / posting_update).
        pass


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "接受"), ("decline", "谢绝")])
    feedback = forms.CharField(max_length=300, required=False, label="反馈")


class RoundtableForm(forms.ModelForm):
    class Meta:
        model = Roundtable
        fields = ["theme", "chain", "link", "held_on", "venue", "host_organization"]
        widgets = {"held_on": _DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        link, chain = data.get("link"), data.get("chain")
        if link is not None and chain is not None and link.chain_id != chain.pk:
            self.add_error("link", "环节不属于所选产业链。")
        return data


class InviteForm(forms.Form):
    pairs = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pairs"].choices = choices  # type: ignore[attr-defined]


class InvitationStatusForm(forms.Form):
    status = forms.ChoiceField(choices=InvitationStatus.choices)


class MinutesForm(forms.Form):
    minutes = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label="会议纪要")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = ["title", "content", "enterprises", "institutions", "due_on"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3}), "due_on": _DATE}

    def __init__(self, *args: Any, enterprises: Any, institutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprises"].queryset = enterprises  # type: ignore[attr-defined]
        self.fields["institutions"].queryset = institutions  # type: ignore[attr-defined]
        for name in ("enterprises", "institutions"):
            field: Any = self.fields[name]
            field.widget = forms.CheckboxSelectMultiple(choices=field.choices)

    def _post_clean(self) -> None:
        pass


class ProgressForm(forms.Form):
    status = forms.ChoiceField(choices=AgreementStatus.choices, label="状态")
    progress = forms.IntegerField(min_value=0, max_value=100, label="进度（%）")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="进展说明")


class MentoringAcceptForm(forms.Form):
    mentee = forms.ModelChoiceField(queryset=Enterprise.objects.all())
    mentor = forms.ModelChoiceField(queryset=Enterprise.objects.filter(is_leading=True))
    goals = forms.CharField(max_length=300, required=False)
