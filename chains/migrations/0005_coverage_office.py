"""The maintained coverage figures per management office (`CoverageCount.office_key`) and the organizations' offices
(`CoverageOffice`), refilled from the rows.

The whole area's rows get office_key 0; the refill recomputes them with every office's, and the pairs
(`chains.coverage.rebuild`, with this migration's models); it does nothing on a database without organizations or
placements."""

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
        migrations.CreateModel(
            name="CoverageOffice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("office_key", models.BigIntegerField(verbose_name="管理处")),
                ("organization_key", models.BigIntegerField(verbose_name="党组织")),
            ],
            options={
                "verbose_name": "党组织所在管理处",
                "verbose_name_plural": "党组织所在管理处",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("office_key", "organization_key"), name="chains_coverage_office_pair"
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
