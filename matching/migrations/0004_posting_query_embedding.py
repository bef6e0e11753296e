# The query vector stored beside the passage vector: matching a posting against the others reuses it instead of
# running the model on the request path. Filled by the background task (`services.posting_embed`) on the next
# change of a posting, or for every posting by `rebuild_index`; until then the query path embeds the text itself.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0003_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="posting",
            name="query_embedding",
            field=models.BinaryField(blank=True, null=True, verbose_name="查询向量"),
        ),
    ]
