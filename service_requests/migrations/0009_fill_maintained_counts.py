"""Fill the maintained totals (0004-0008) on an installation that already has requests, so an upgrade needs no extra
command. A fresh database has nothing to count and skips it.

It runs the current `rollup.rebuild()`, written for the schema of this release: upgrading from before 0004 across
later releases that change the counted fields may need `manage.py rebuild_service_totals` after migrating instead
(docs/deploy.md, "Upgrades")."""

from django.db import migrations


def fill(apps, schema_editor):
    request = apps.get_model("service_requests", "ServiceRequest")
    delivery = apps.get_model("service_requests", "ServiceDelivery")
    if not (request.objects.exists() or delivery.objects.exists()):
        return
    from service_requests import rollup

    rollup.rebuild()


class Migration(migrations.Migration):
    dependencies = [("service_requests", "0008_unit_clock_index")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
