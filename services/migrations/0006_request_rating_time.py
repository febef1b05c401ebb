"""The rated requests' index: a list narrowed to one rating is counted and dated from it, not from every request."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0005_request_due_order"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="servicerequest",
            index=models.Index(
                condition=models.Q(("rating", ""), _negated=True),
                fields=["rating", "submitted_at"],
                name="request_rating_time",
            ),
        ),
    ]
