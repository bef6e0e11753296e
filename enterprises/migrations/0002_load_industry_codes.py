"""Load the GB/T 4754-2017 reference list (enterprises/data/gbt4754_2017.csv). Admins may add or correct codes later."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "gbt4754_2017.csv"


def load(apps, schema_editor):
    IndustryCode = apps.get_model("enterprises", "IndustryCode")
    with CSV_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    existing = set(IndustryCode.objects.values_list("code", flat=True))
    IndustryCode.objects.bulk_create(
        [
            IndustryCode(code=r["code"], name=r["name"], parent_id=r["parent_code"] or None, level=int(r["level"]))
            for r in rows
            if r["code"] not in existing
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
