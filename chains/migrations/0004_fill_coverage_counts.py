"""Fill the maintained coverage figures from the rows already there (an upgrade of an installation with data)."""

from django.db import migrations


def fill(apps, schema_editor):
    from chains import coverage

    coverage.rebuild(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("chains", "0003_coverage_count"),
        ("organizations", "0002_list_indexes"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
