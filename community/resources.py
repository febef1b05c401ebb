"""Admin import and export of households and residents (django-import-export), in Excel (xlsx) or CSV.

The file layout
---------------
The first row holds the column headers below (Chinese, as the committees' spreadsheets have them);
the columns may come in any order and the optional ones may be left out.  Exports use the same
layout, so an exported file can be corrected and imported again.

Households (户), matched by ``户ID`` when given, otherwise by community code + building + door number:

====================  ======================================================================
户ID                  optional: the household's id on this platform (updates that household)
社区编码               the community's code (required unless 户ID is given)
片区                   the zone's name; needed only when two zones of the community have a
                      building of that name
楼栋                   the building's name (required unless 户ID is given)
门牌号                 the door number, e.g. 2-301 (required)
联系电话               a valid Chinese phone number, or empty
备注                   free text
社区名称 / 居民数        export only
====================  ======================================================================

Residents (居民), matched by ID number (a known number updates that resident, a new one adds one):

====================  ======================================================================
身份证号               18-character GB 11643 ID number with a valid check digit (required)
姓名                   the name (required)
户ID                  the household's id; or instead the three columns below
社区编码 / 片区 / 楼栋 / 门牌号   the household, as in the household file (片区 only when needed)
手机号                 a valid Chinese phone number, or empty
与户主关系              户主, 配偶, 子女, … (the labels of the admin form, or their codes)
居住类型               户籍, 常住, 租住 (or their codes)
迁入日期 / 迁出日期      2024-03-01 (also 2024/3/1, 2024.3.1, or an Excel date)
独居老人 / 低保 / 残疾 / 优抚 / 留守儿童    是 or 否 (also 1/0, Y/N, true/false; empty is 否)
性别 / 出生日期          export only (they follow from the ID number)
====================  ======================================================================

Rules: the admin passes ``user=`` to the import; a row whose household lies outside that user's scope
is refused, as is a resident whose ID number belongs to a resident outside it.  A file with any bad
row is refused whole: nothing is written, and the report names every bad row with its line number.
New residents are written in bulk (with their history and residence periods) so that a file of ten
thousand residents imports in one go.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from . import actions, validators
from .choices import Relation, ResidenceType
from .models import Building, Community, Household, PersonalDataAccess, Resident
from .scoping import CHANGE, community_of, reaches, scope_of

# --- the column headers (the file format: documented above) -------------------------------------
HOUSEHOLD_ID = "户ID"
COMMUNITY_CODE = "社区编码"
ZONE = "片区"
BUILDING = "楼栋"
DOOR_NUMBER = "门牌号"
HOUSEHOLD_LOCATION = "户(社区编码/片区/楼栋/门牌号)"

TRUE_WORDS = {"是", "1", "y", "yes", "true", "t", "√", "✓", "有"}
FALSE_WORDS = {"否", "0", "n", "no", "false", "f", "×", "无", ""}


def _text(value) -> str:
    """A cell as text: Excel gives numbers for digit-only cells (13812345678 → 13812345678.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return _text(value)


class IdNumberWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return validators.normalise_id_number(_text(value))


class PhoneWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return validators.normalise_phone(_text(value))


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        word = _text(value).lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("Write 是 or 否 (yes or no), not “%(value)s”.") % {"value": _text(value)})

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ChoiceLabelWidget(widgets.Widget):
    """A choice written as its Chinese label (what the admin shows), its English label or its code."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def _lookup(self) -> dict[str, str]:
        language = translation.get_language()
        if getattr(self, "_table_language", None) != language:
            table = {}
            for value, label in self.choices.choices:
                table[value.lower()] = value
                table[str(label).lower()] = value
                for code in ("zh-hans", "en"):
                    with translation.override(code):
                        table[str(label).lower()] = value
            self._table, self._table_language = table, language
        return self._table

    def clean(self, value, row=None, **kwargs):
        word = _text(value)
        if not word:
            return None
        found = self._lookup().get(word.lower())
        if found is None:
            with translation.override("zh-hans"):
                labels = "、".join(str(label) for label in self.choices.labels)
            raise ValueError(_("“%(value)s” is not one of: %(labels)s.") % {"value": word, "labels": labels})
        return found

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        with translation.override("zh-hans"):
            return str(self.choices(value).label)


class DateWidget(widgets.Widget):
    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _text(value)
        for fmt in self.FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("Write the date as 2024-03-01, not “%(value)s”.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class HouseholdDirectory:
    """The buildings and households a file names, read in a few queries before the rows are imported."""

    def __init__(self, dataset):
        headers = set(dataset.headers or [])

        def column(name):
            return [_text(v) for v in dataset[name]] if name in headers else []

        codes = {c for c in column(COMMUNITY_CODE) if c}
        ids = set()
        for value in column(HOUSEHOLD_ID):
            if value.isdigit():
                ids.add(int(value))
        numbers = {n for n in column(DOOR_NUMBER) if n}
        self.communities = {c.code: c for c in Community.objects.filter(code__in=codes).select_related("town")}
        self.buildings: dict[tuple[int, str], list[Building]] = defaultdict(list)
        for building in Building.objects.filter(zone__community__in=list(self.communities.values())).select_related(
            "zone"
        ):
            building.zone.community = self.communities_by_id()[building.zone.community_id]
            self.buildings[(building.zone.community_id, building.name)].append(building)
        self.buildings_by_id = {b.pk: b for group in self.buildings.values() for b in group}
        self.households: dict[tuple[int, str], Household] = {}
        if self.buildings_by_id and numbers:
            for household in Household.objects.filter(
                building_id__in=list(self.buildings_by_id), number__in=list(numbers)
            ):
                household.building = self.buildings_by_id[household.building_id]
                self.households[(household.building_id, household.number)] = household
        self.households_by_id = {
            h.pk: h
            for h in Household.objects.filter(pk__in=list(ids)).select_related("building__zone__community__town")
        }

    def communities_by_id(self) -> dict[int, Community]:
        if not hasattr(self, "_communities_by_id"):
            self._communities_by_id = {c.pk: c for c in self.communities.values()}
        return self._communities_by_id

    def building_for(self, row) -> tuple[Building | None, str]:
        code, zone, name = _text(row.get(COMMUNITY_CODE)), _text(row.get(ZONE)), _text(row.get(BUILDING))
        if not code or not name:
            return None, _("Give the community code and the building (or the household id).")
        community = self.communities.get(code)
        if community is None:
            return None, _("There is no community with the code %(code)s.") % {"code": code}
        candidates = self.buildings.get((community.pk, name), [])
        if zone:
            candidates = [b for b in candidates if b.zone.name == zone]
        if not candidates and zone:
            return None, _("Community %(community)s has no building %(building)s in zone %(zone)s.") % {
                "community": community.name,
                "building": name,
                "zone": zone,
            }
        if not candidates:
            return None, _("Community %(community)s has no building %(building)s.") % {
                "community": community.name,
                "building": name,
            }
        if len(candidates) > 1:
            return None, _(
                "Community %(community)s has a building %(building)s in several zones: fill in the zone column."
            ) % {"community": community.name, "building": name}
        return candidates[0], ""

    def household_for(self, row) -> tuple[Household | None, str]:
        raw_id = _text(row.get(HOUSEHOLD_ID))
        if raw_id:
            if not raw_id.isdigit() or int(raw_id) not in self.households_by_id:
                return None, _("There is no household with the id %(id)s.") % {"id": raw_id}
            return self.households_by_id[int(raw_id)], ""
        building, problem = self.building_for(row)
        if building is None:
            return None, problem
        number = _text(row.get(DOOR_NUMBER))
        household = self.households.get((building.pk, number))
        if household is None:
            return None, _("Building %(building)s has no household %(number)s: import the households first.") % {
                "building": building.name,
                "number": number or "—",
            }
        return household, ""


class ScopedResource(resources.ModelResource):
    """What both resources share: the importing/exporting user, the scope check, all-or-nothing imports,
    error reports keyed by the file's column headers, and a logged, scoped export."""

    #: the personal-data fields an export hands over (for the PIPL log)
    personal_fields = ""
    #: import errors under these keys are reported under these column headers
    error_columns: dict[str, str] = {}

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    # -- import -------------------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """A file with any bad row is refused whole: validation errors roll everything back too."""
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True, **kwargs)

    def before_import(self, dataset, **kwargs):
        self.refused = True  # until the checks below pass: then no row is looked at
        self.user = kwargs.get("user") or self.user
        self.scope = scope_of(self.user)
        if self.scope is None:
            raise PermissionDenied(_("Your account has no scope: it may not import records."))
        missing = [h for h in self.required_headers if h not in (dataset.headers or [])]
        if missing:
            raise ValidationError(_("The file lacks these columns: %(columns)s.") % {"columns": "、".join(missing)})
        self.directory = HouseholdDirectory(dataset)
        self.seen: dict = {}
        self.refused = False

    def import_row(self, row, instance_loader, **kwargs):
        if getattr(self, "refused", False):
            row_result = self.get_row_result_class()()
            row_result.import_type = row_result.IMPORT_TYPE_SKIP
            return row_result
        return super().import_row(row, instance_loader, **kwargs)

    def in_scope(self, community) -> bool:
        return community is not None and reaches(self.scope, community, CHANGE)

    def out_of_scope_message(self, community) -> str:
        return _("%(community)s lies outside your scope: you may only import into your own communities.") % {
            "community": community.name if community is not None else "—"
        }

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        self.import_relations(instance, row, errors, row_number=kwargs.get("row_number"))
        if errors:
            raise ValidationError(errors)

    def import_relations(self, instance, row, errors: dict, row_number=None) -> None:
        raise NotImplementedError

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Model validation without a query per row (foreign keys come from the scoped directory and
        duplicates are found against the file and the preloaded rows); errors keyed by column header."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, *self.clean_exclude], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError({self.column_of(key): value for key, value in errors.items()})

    def column_of(self, key: str) -> str:
        if key == NON_FIELD_ERRORS:
            return key
        if key in self.error_columns:
            return self.error_columns[key]
        for field in self.fields.values():
            if field.attribute == key:
                return field.column_name
        return key

    # -- export -------------------------------------------------------------------------------

    def export_queryset(self, queryset):
        """The rows the user may export, with what the columns need joined in."""
        return queryset

    def before_export(self, queryset=None, **kwargs):
        if scope_of(self.user) is None:
            raise PermissionDenied(_("Your account has no scope: it may not export records."))

    def filter_export(self, queryset, **kwargs):
        return self.export_queryset(queryset.for_user(self.user))

    def after_export(self, queryset, dataset, **kwargs):
        actions.personal_data_log(
            by=self.user,
            kind=PersonalDataAccess.Kind.EXPORT,
            model=self._meta.model._meta.label,
            rows=len(dataset),
            fields=self.personal_fields,
            reason=_("Export from the admin"),
        )


class HouseholdResource(ScopedResource):
    id = fields.Field(attribute="id", column_name=HOUSEHOLD_ID, widget=widgets.IntegerWidget(), readonly=True)
    community_code = fields.Field(column_name=COMMUNITY_CODE, widget=TextWidget())
    zone = fields.Field(column_name=ZONE, widget=TextWidget())
    building = fields.Field(column_name=BUILDING, widget=TextWidget())
    number = fields.Field(attribute="number", column_name=DOOR_NUMBER, widget=TextWidget())
    phone = fields.Field(attribute="phone", column_name="联系电话", widget=PhoneWidget())
    note = fields.Field(attribute="note", column_name="备注", widget=TextWidget())
    community_name = fields.Field(column_name="社区名称", readonly=True)
    resident_count = fields.Field(column_name="居民数", readonly=True)

    personal_fields = "number,phone"
    required_headers = [DOOR_NUMBER]
    clean_exclude = ["building"]
    error_columns = {"building": f"{COMMUNITY_CODE}/{ZONE}/{BUILDING}", "household": HOUSEHOLD_ID}

    class Meta:
        model = Household
        fields = [
            "id",
            "community_code",
            "zone",
            "building",
            "number",
            "phone",
            "note",
            "community_name",
            "resident_count",
        ]
        export_order = fields
        import_id_fields = []
        skip_diff = True
        clean_model_instances = True
        use_transactions = True

    def get_instance(self, instance_loader, row):
        raw_id = _text(row.get(HOUSEHOLD_ID))
        if raw_id:
            return self.directory.households_by_id.get(int(raw_id)) if raw_id.isdigit() else None
        building, _problem = self.directory.building_for(row)
        if building is None:
            return None
        return self.directory.households.get((building.pk, _text(row.get(DOOR_NUMBER))))

    def import_relations(self, instance, row, errors, row_number=None):
        raw_id = _text(row.get(HOUSEHOLD_ID))
        if raw_id and instance.pk is None:
            errors["household"] = [_("There is no household with the id %(id)s.") % {"id": raw_id}]
            return
        if instance.pk is not None and not self.in_scope(community_of(instance)):
            errors["household"] = [self.out_of_scope_message(community_of(instance))]
            return
        if _text(row.get(COMMUNITY_CODE)) or _text(row.get(BUILDING)) or instance.pk is None:
            building, problem = self.directory.building_for(row)
            if building is None:
                errors["building"] = [problem]
                return
            if not self.in_scope(building.zone.community):
                errors["building"] = [self.out_of_scope_message(building.zone.community)]
                return
            instance.building = building
        key = (instance.building_id, instance.number)
        if key in self.seen:
            errors["number"] = [
                _("This household already appears in line %(line)s of the file.") % {"line": self.seen[key]}
            ]
            return
        self.seen[key] = row_number
        clash = self.directory.households.get(key)
        if clash is not None and clash.pk != instance.pk:
            errors["number"] = [_("Another household already has this door number in this building.")]

    def save_instance(self, instance, is_create, row, **kwargs):
        actions.record_save(by=self.user, instance=instance)

    def export_queryset(self, queryset):
        return queryset.select_related("building__zone__community").annotate(resident_count=Count("residents"))

    def dehydrate_community_code(self, household):
        return household.building.zone.community.code

    def dehydrate_zone(self, household):
        return household.building.zone.name

    def dehydrate_building(self, household):
        return household.building.name

    def dehydrate_community_name(self, household):
        return household.building.zone.community.name

    def dehydrate_resident_count(self, household):
        return getattr(household, "resident_count", "")


class ResidentResource(ScopedResource):
    id_number = fields.Field(attribute="id_number", column_name="身份证号", widget=IdNumberWidget())
    name = fields.Field(attribute="name", column_name="姓名", widget=TextWidget())
    household_id = fields.Field(column_name=HOUSEHOLD_ID, widget=TextWidget())
    community_code = fields.Field(column_name=COMMUNITY_CODE, widget=TextWidget())
    zone = fields.Field(column_name=ZONE, widget=TextWidget())
    building = fields.Field(column_name=BUILDING, widget=TextWidget())
    door_number = fields.Field(column_name=DOOR_NUMBER, widget=TextWidget())
    gender = fields.Field(attribute="gender", column_name="性别", readonly=True)
    birth_date = fields.Field(attribute="birth_date", column_name="出生日期", readonly=True, widget=DateWidget())
    phone = fields.Field(attribute="phone", column_name="手机号", widget=PhoneWidget())
    relation = fields.Field(attribute="relation", column_name="与户主关系", widget=ChoiceLabelWidget(Relation))
    residence_type = fields.Field(
        attribute="residence_type", column_name="居住类型", widget=ChoiceLabelWidget(ResidenceType)
    )
    moved_in = fields.Field(attribute="moved_in", column_name="迁入日期", widget=DateWidget())
    moved_out = fields.Field(attribute="moved_out", column_name="迁出日期", widget=DateWidget())
    elderly_alone = fields.Field(attribute="elderly_alone", column_name="独居老人", widget=YesNoWidget())
    low_income = fields.Field(attribute="low_income", column_name="低保", widget=YesNoWidget())
    disabled = fields.Field(attribute="disabled", column_name="残疾", widget=YesNoWidget())
    special_care = fields.Field(attribute="special_care", column_name="优抚", widget=YesNoWidget())
    left_behind_child = fields.Field(attribute="left_behind_child", column_name="留守儿童", widget=YesNoWidget())

    personal_fields = "name,id_number,phone,birth_date,household"
    required_headers = ["身份证号", "姓名"]
    clean_exclude = ["household", "gender", "birth_date", "name_pinyin", "name_initials"]
    error_columns = {"household": HOUSEHOLD_LOCATION}

    class Meta:
        model = Resident
        fields = [
            "id_number",
            "name",
            "household_id",
            "community_code",
            "zone",
            "building",
            "door_number",
            "gender",
            "birth_date",
            "phone",
            "relation",
            "residence_type",
            "moved_in",
            "moved_out",
            "elderly_alone",
            "low_income",
            "disabled",
            "special_care",
            "left_behind_child",
        ]
        export_order = fields
        import_id_fields = ["id_number"]
        skip_diff = True
        clean_model_instances = True
        use_transactions = True
        use_bulk = True
        batch_size = 1000

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        numbers = {validators.normalise_id_number(_text(v)) for v in dataset["身份证号"]} - {""}
        self.existing = {
            r.id_number: r
            for r in Resident.objects.filter(id_number__in=list(numbers)).select_related(
                "household__building__zone__community__town"
            )
        }
        self.reason = _("Imported from %(file)s") % {"file": kwargs.get("file_name") or _("a file")}

    def get_instance(self, instance_loader, row):
        return self.existing.get(validators.normalise_id_number(_text(row.get("身份证号"))))

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if isinstance(field.widget, ChoiceLabelWidget) and not _text(row.get(field.column_name)):
            return  # an empty choice keeps the current value (the default for a new resident)
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_relations(self, instance, row, errors, row_number=None):
        if instance.pk is not None and not self.in_scope(community_of(instance)):
            errors["id_number"] = [
                _("This ID number belongs to a resident outside your scope; ask that community to move them.")
            ]
            return
        if instance.id_number:
            if instance.id_number in self.seen:
                errors["id_number"] = [
                    _("This ID number already appears in line %(line)s of the file.")
                    % {"line": self.seen[instance.id_number]}
                ]
            else:
                self.seen[instance.id_number] = row_number
        household, problem = self.directory.household_for(row)
        if household is None:
            if instance.pk is None or any(
                _text(row.get(h)) for h in (HOUSEHOLD_ID, COMMUNITY_CODE, BUILDING, DOOR_NUMBER)
            ):
                errors["household"] = [problem]
            return
        community = community_of(household)
        if not self.in_scope(community):
            errors["household"] = [self.out_of_scope_message(community)]
            return
        instance.household = household

    def save_instance(self, instance, is_create, row, **kwargs):
        if self._is_dry_run(kwargs):
            return  # the preview validates every row; the confirmed import writes (all or nothing)
        if is_create:
            self.create_instances.append(instance)  # written in bulk by bulk_create below
        else:
            actions.resident_save(by=self.user, resident=instance, reason=self.reason)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances and not dry_run:
            try:
                actions.residents_create_bulk(
                    by=self.user, residents=self.create_instances, reason=self.reason, batch_size=batch_size or 1000
                )
            except Exception as exc:
                self.handle_import_error(result, exc, raise_errors)
            finally:
                self.create_instances.clear()

    def export_queryset(self, queryset):
        return queryset.select_related("household__building__zone__community")

    def dehydrate_household_id(self, resident):
        return resident.household_id

    def dehydrate_community_code(self, resident):
        return resident.household.building.zone.community.code

    def dehydrate_zone(self, resident):
        return resident.household.building.zone.name

    def dehydrate_building(self, resident):
        return resident.household.building.name

    def dehydrate_door_number(self, resident):
        return resident.household.number

    def dehydrate_gender(self, resident):
        return resident.get_gender_display()
