# Spec versions, project drafts, and the version each run builds.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("generator", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="draft",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="SpecVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "number",
                    models.PositiveIntegerField(
                        help_text="Version number within the project, from 1."
                    ),
                ),
                ("spec", models.JSONField()),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("requirements", "Read from the requirements"),
                            ("plan", "Edited plan"),
                            ("change", "Change request"),
                            ("restore", "Restored"),
                            ("spec", "Spec given"),
                        ],
                        max_length=16,
                    ),
                ),
                ("change_text", models.TextField(blank=True)),
                ("renames", models.JSONField(blank=True, default=dict)),
                ("restored_from", models.PositiveIntegerField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="generator.project",
                    ),
                ),
            ],
            options={
                "ordering": ["-number"],
            },
        ),
        migrations.AddField(
            model_name="generation",
            name="version",
            field=models.ForeignKey(
                blank=True,
                help_text="The spec version this run builds; empty while a first run reads the text.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="builds",
                to="generator.specversion",
            ),
        ),
        migrations.AddConstraint(
            model_name="specversion",
            constraint=models.UniqueConstraint(
                fields=("project", "number"), name="spec_version_number_unique"
            ),
        ),
    ]


def versions_from_runs(apps, schema_editor):
    """Give runs made before versions existed a version each distinct spec they built."""
    Generation = apps.get_model("generator", "Generation")
    SpecVersion = apps.get_model("generator", "SpecVersion")
    versions = {}
    for run in Generation.objects.filter(spec__isnull=False).order_by("project_id", "number"):
        known = versions.setdefault(run.project_id, [])
        version = next((v for v in known if v.spec == run.spec), None)
        if version is None:
            version = SpecVersion.objects.create(
                project_id=run.project_id,
                number=len(known) + 1,
                spec=run.spec,
                source="requirements",
                created_by_id=run.requested_by_id,
            )
            known.append(version)
        Generation.objects.filter(pk=run.pk).update(version=version)


Migration.operations.append(migrations.RunPython(versions_from_runs, migrations.RunPython.noop))
