"""The README states what the code does: its roles table is the one the apps declare."""

from pathlib import Path

from django.apps import apps

from community.roles import table_markdown

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_states_the_roles_table_the_apps_declare():
    table = table_markdown(apps.get_app_configs())
    assert table in README.read_text(), "run `python manage.py roles_table` and paste it into the README"
