"""Forms of the chain pages: add a link to a chain, place an enterprise on a link."""

from typing import Any

from django import forms

from chains.models import Chain, Link
from enterprises.forms import EnterpriseByUsccField
from enterprises.listing import style_form


class LinkForm(forms.ModelForm):
    class Meta:
        model = Link
        fields = [
            "parent",
            "name",
            "stage",
            "function",
            "is_key",
            "description",
            "keywords",
            "industry_codes",
            "sort_order",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, chain: Chain, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.chain = chain
        links = Link.objects.select_related("chain").filter(chain=chain).order_by("sort_order", "id")
        self.fields["parent"].queryset = links  # type: ignore[attr-defined]
        style_form(self)


class PlacementForm(forms.Form):
    uscc = EnterpriseByUsccField(label="企业统一社会信用代码")
    link = forms.ModelChoiceField(label="环节", queryset=Link.objects.none())
    main_product = forms.CharField(label="主营产品", max_length=200, required=False)

    def __init__(self, *args: Any, chain: Chain, enterprises: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["uscc"].queryset = enterprises  # type: ignore[attr-defined]
        links = Link.objects.select_related("chain").filter(chain=chain).order_by("sort_order", "id")
        self.fields["link"].queryset = links  # type: ignore[attr-defined]
        style_form(self)
