"""The triage order's index: a filtered list's first page read in order, not sorted from every request it keeps."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0004_unit_obligations"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(
                models.Case(
                    models.When(status="submitted", then=models.F("accept_due")),
                    models.When(
                        status__in=("submitted", "accepted", "assigned", "in_progress", "reopened"),
                        then=models.F("resolve_due"),
                    ),
                    default=None,
                    output_field=models.DateTimeField(),
                ),
                models.OrderBy(models.F("submitted_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="request_due_order",
            ),
        ),
    ]
