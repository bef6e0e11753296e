"""The maintained coverage figures per management office (`CoverageCount.office_key`), refilled from the rows.

The whole area's rows get office_key 0; the refill recomputes them with every office's (`chains.coverage.rebuild`,
with this migration's models), and does nothing on a database without organizations or placements."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from chains import coverage

    organization = apps.get_model("organizations", "PartyOrganization")
    if not organization.objects.exists() and not apps.get_model("chains", "Placement").objects.exists():
        return
    coverage.rebuild(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("chains", "0004_fill_coverage_counts"),
        ("enterprises", "0001_initial"),
        ("organizations", "0002_list_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="coveragecount",
            name="chains_coverage_count_cell",
        ),
        migrations.AddField(
            model_name="coveragecount",
            name="office_key",
            field=models.BigIntegerField(default=0, verbose_name="管理处"),
        ),
        migrations.AddConstraint(
            model_name="coveragecount",
            constraint=models.UniqueConstraint(
                fields=("kind", "chain_key", "formation", "office_key"), name="chains_coverage_count_office_cell"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
