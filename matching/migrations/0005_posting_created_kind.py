# The cockpit's count of postings created in a period by kind (`selectors.innovation_figures`), for the whole area
# or one chain, as an index-only scan of the period's range.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0004_posting_query_embedding"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(fields=["created_at", "kind", "chain", "id"], name="posting_created_kind"),
        ),
    ]
