from django.conf import settings
from django.db import migrations, models
from django.db.models import deletion


def backfill(apps, schema_editor):
    # Set-based: one INSERT ... SELECT over every lead (metrics.stage_entries), so that every
    # lead has its row with its owner and creation time.
    from metrics import stage_entries

    stage_entries.refresh_all()


def triggers(apps, schema_editor):
    # From now on the database writes the lead's columns (metrics.stage_entries).
    from metrics import stage_entries

    stage_entries.install_triggers(schema_editor.connection.alias)


def no_triggers(apps, schema_editor):
    from metrics import stage_entries

    stage_entries.drop_triggers(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("leads", "0007_import_jobs"),
        ("metrics", "0006_merge_parallel_work"),
    ]

    operations = [
        migrations.AddField(
            model_name="stageentry",
            name="owner",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="stageentry",
            name="created_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="stageentry",
            name="source",
            field=models.CharField(max_length=10, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="stageentry",
            name="owner",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="stageentry",
            name="created_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="stageentry",
            index=models.Index(
                fields=[
                    "owner",
                    "created_at",
                    "working_at",
                    "connected_at",
                    "handed_off_at",
                    "opportunity_at",
                    "won_at",
                    "source",
                ],
                name="stage_entry_funnel",
            ),
        ),
        migrations.RunPython(triggers, no_triggers),
    ]
