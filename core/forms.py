"""Forms of the core app."""

from django import forms
from django.conf import settings


class ImportUploadForm(forms.Form):
    """The spreadsheet to import. Only size is checked here; the content is checked by the import framework."""

    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                f"文件过大：{upload.size / 1024 / 1024:.1f} MB，上限 {limit / 1024 / 1024:.0f} MB，请拆分后分批导入。"
            )
        return upload
