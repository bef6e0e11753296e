"""Pieces the apps' FilterSets share: a bounded date filter and a form refusing a range that ends before it starts."""

from datetime import date
from typing import Any

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

#: Dates outside these bounds are refused: they mean nothing here, and a local midnight at the edge of the calendar
#: cannot be converted to UTC by the database layer.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)


def date_filter(label: str, **kwargs: Any) -> django_filters.DateFilter:
    """A date filter with a date picker, refusing dates outside FIRST_DAY–LAST_DAY."""
    return django_filters.DateFilter(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)],
        **kwargs,
    )


def range_form(first: str, last: str, message: str) -> type[forms.Form]:
    """A filter form refusing a range whose `last` comes before its `first` (the error goes on `last`)."""

    class RangeForm(forms.Form):
        def clean(self) -> dict[str, Any]:
            data = super().clean() or {}
            start, end = data.get(first), data.get(last)
            if start and end and start > end:
                self.add_error(last, message)
            return data

    return RangeForm


#: start/end periods (the cockpit's drill-down lists).
PeriodFilterForm = range_form("start", "end", "结束日期不能早于开始日期。")
