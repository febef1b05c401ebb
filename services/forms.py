"""Forms of the public pages and of the staff's request processing."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from community import selectors as community_selectors
from community import validators
from community.models import Building, Community, Department, User
from community.scoping import permitted, scope_of

from . import actions
from .choices import OPEN_STATUSES, Channel, QuestionType, Rating, Status
from .models import ServiceCategory, ServiceRequest


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files if f]


def question_field(question) -> forms.Field:
    kind = question.get("type", QuestionType.STRING)
    options = {"label": question["label"], "required": bool(question.get("required"))}
    if kind == QuestionType.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, **options)
    if kind == QuestionType.NUMBER:
        return forms.DecimalField(**options)
    if kind == QuestionType.DATETIME:
        return forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **options)
    if kind == QuestionType.SINGLE:
        return forms.ChoiceField(choices=[("", "—"), *actions.question_values(question)], **options)
    if kind == QuestionType.MULTI:
        return forms.MultipleChoiceField(
            choices=actions.question_values(question), widget=forms.CheckboxSelectMultiple, **options
        )
    return forms.CharField(max_length=1000, **options)


class OptionsSelect(forms.Select):
    """Django's ``Select``, its options written in Python rather than each through a template include.

    A community lists up to a few hundred buildings, and rendering every ``<option>`` through
    ``select_option.html`` was most of what an uncached resident form cost.  The markup is Django's own
    (its ``attrs.html`` rules: an attribute ``True`` is written bare, ``False`` left out), optgroups included.
    """

    @staticmethod
    def _attrs(attrs) -> str:
        return "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"', widget["name"]), self._attrs(widget["attrs"]), ">"]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            for option in options:
                parts.append(format_html('<option value="{}"', option["value"]))
                parts.append(self._attrs(option["attrs"]))
                parts.append(format_html(">{}</option>", option["label"]))
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))


class BuildingChoiceIterator(forms.models.ModelChoiceIterator):
    """The building choices from one narrow query of ids and names, where Django's iterator builds a building,
    its zone and its community for every option; each label is the building's own ``str``
    (``community zone building``)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self.queryset.values_list("pk", "zone__community__name", "zone__name", "name")
        for pk, community, zone, name in rows:
            yield (pk, f"{community} {zone} {name}")


class BuildingChoiceField(forms.ModelChoiceField):
    """The community's buildings; ``known`` is the posted building when the view has read it already
    (``selectors.public_form_post``): that choice is taken without a query of its own, any other is looked up."""

    iterator = BuildingChoiceIterator
    known = None

    def to_python(self, value):
        known = self.known
        if known is not None and value not in self.empty_values and str(value).strip() == str(known.pk):
            return known
        return super().to_python(value)


class ChosenObjectField(forms.Field):
    """A hidden field that carries the id of an object the view has already read (the page's community or kind
    of request): it accepts that id only and gives the object back, with no query of its own."""

    widget = forms.HiddenInput
    default_error_messages = {"invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]}

    def __init__(self, obj, **kwargs):
        super().__init__(initial=obj.pk, **kwargs)
        self.obj = obj

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if str(value).strip() != str(self.obj.pk):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return self.obj


class PublicRequestForm(forms.Form):
    """The resident's form: phone-first, no account, works without JavaScript."""

    community = forms.ModelChoiceField(Community.objects.none(), label=_("Community"), widget=forms.HiddenInput)
    category = forms.ModelChoiceField(
        ServiceCategory.objects.none(), label=_("Kind of request"), widget=forms.HiddenInput
    )
    building = BuildingChoiceField(Building.objects.none(), label=_("Building"), required=False, widget=OptionsSelect)
    door_number = forms.CharField(label=_("Unit and room"), max_length=20, required=False, help_text=_("e.g. 2-301"))
    address = forms.CharField(
        label=_("Address"),
        max_length=150,
        required=False,
        help_text=_("If your building is not listed, write the address."),
    )
    description = forms.CharField(
        label=_("What do you need?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=4,
        max_length=4000,
        help_text=_("At most 4,000 characters; the box stops taking text at the limit."),
    )
    photos = MultiplePhotoField(
        label=_("Photos (up to 3, each at most 5 MB)"),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    contact_name = forms.CharField(label=_("How should we address you?"), max_length=40)
    contact_phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        validators=[validators.validate_phone],
    )
    consent = forms.BooleanField(label=_("I have read the notice on personal information above and agree."))
    # honeypot: hidden from people by CSS, filled by bots
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, community=None, category=None, keys=None, building=None, **kwargs):
        """``building``: the posted building, already read with the community (``selectors.public_form_post``)."""
        super().__init__(*args, **kwargs)
        self.community_obj, self.category_obj = community, category
        self._keys = keys  # ``part_keys`` of the community and category, when the view has read them
        if community is not None:
            self.fields["community"] = ChosenObjectField(community, label=self.fields["community"].label)
            self.fields["building"].queryset = (
                Building.objects.filter(zone__community=community)
                .select_related("zone")  # the chosen building's zone is checked against the community
                .order_by("zone__name", "name")
            )
            self.fields["building"].known = building
        else:
            self.fields["community"].queryset = Community.objects.all()
        if category is not None:
            self.fields["category"] = ChosenObjectField(category, label=self.fields["category"].label)
            for question in category.questions or []:
                self.fields[f"answer_{question['code']}"] = question_field(question)
        else:
            self.fields["category"].queryset = ServiceCategory.objects.active()

    def render_key(self) -> str | None:
        """The key under which the page caches this form's rendered fields (``services/form.html``); None for a
        bound form, whose values and errors are its own."""
        if self.is_bound or self.community_obj is None or self.category_obj is None:
            return None
        if self._keys is None:
            self._keys = self.part_keys(self.community_obj, self.category_obj)
        return ":".join(self._keys.values())

    @staticmethod
    def part_keys(community, category, buildings: str | None = None) -> dict[str, str]:
        """What each part of an unbound form shows, as keys: the same for every resident of a community and
        kind of request.

        Where (the community's buildings: ``buildings_version``, one aggregate query in place of the list
        and its rendering; ``buildings`` when the caller has read it), what and who (the same on every form), and
        the kind of request's questions (``updated_at``).
        """
        if buildings is None:
            buildings = community_selectors.buildings_version(community)
        return {
            "where": f"{community.pk}:{buildings}",
            "common": "",
            "questions": f"{category.pk}:{category.updated_at.timestamp():.6f}",
        }

    def _parts(self, fields) -> list[tuple[str, str, list]]:
        """The unbound form's visible fields in their parts, in the order the form shows them, each with the key
        it is cached under apart (``services/form.html``): a community's buildings, the fields every form
        has, the kind of request's questions."""
        self.render_key()
        where = {"building", "door_number", "address"}
        parts = {"where": [], "common": [], "questions": []}
        for field in fields:
            part = "where" if field.name in where else "questions" if field.name.startswith("answer_") else "common"
            parts[part].append(field)
        return [(name, self._keys[name], parts[name]) for name in ("where", "common", "questions")]

    def parts(self) -> list[tuple[str, str, list]]:
        return self._parts([field for field in self.visible_fields() if field.name != "consent"])

    def essential_parts(self) -> list[tuple[str, str, list]]:
        return self._parts(self.essential_fields())

    #: what the elderly mode (长辈模式) asks for: where, what, who (consent is asked apart, under its notice)
    ESSENTIAL_FIELDS = ("building", "door_number", "description", "contact_name", "contact_phone")

    def essential_fields(self) -> list:
        """The visible fields of the simplified form, in order.

        Where (the building and door, or the address where the community lists no building), what,
        who; a question the category requires; and any field that carries an error, so that no
        message is ever hidden.  Photos and optional questions are left to the standard form.
        """
        names = list(self.ESSENTIAL_FIELDS)
        if self.community_obj is not None and not self.fields["building"].queryset.exists():
            names = ["address", *names[2:]]
        names += [name for name, field in self.fields.items() if name.startswith("answer_") and field.required]
        names += [name for name in self.errors if name in self.fields and name not in names]
        hidden = {"community", "category", "consent", "website"}
        return [self[name] for name in self.fields if name in names and name not in hidden]

    def clean_contact_phone(self):
        return validators.normalise_phone(self.cleaned_data["contact_phone"])

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > actions.MAX_PHOTOS:
            raise ValidationError(_("At most 3 photos."))
        return photos

    def answers(self) -> dict:
        return {
            name.removeprefix("answer_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("answer_")
        }

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)
    last4 = forms.CharField(
        label=_("Last 4 digits of your phone"),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class AddInfoForm(forms.Form):
    text = forms.CharField(
        label=_("What do you want to add?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("At most 2,000 characters."),
    )


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Are you satisfied with the result?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why do you cancel? (optional)"), max_length=500, required=False)
    # cancelling cannot be undone: the resident confirms it on the form itself (works without JavaScript)
    confirm = forms.BooleanField(
        label=_("Yes, cancel my request. Nothing more will be done on it."),
        error_messages={"required": _("Tick the box to confirm that you want to cancel the request.")},
    )


# --- staff --------------------------------------------------------------------------------------


class StaffRequestForm(forms.ModelForm):
    """A request taken by phone or at the counter, logged by staff on the resident's behalf."""

    door_number = forms.CharField(label=_("Unit and room"), max_length=20, required=False)

    class Meta:
        model = ServiceRequest
        fields = [
            "community",
            "category",
            "channel",
            "building",
            "door_number",
            "address",
            "description",
            "contact_name",
            "contact_phone",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [
            (Channel.PHONE, Channel.PHONE.label),
            (Channel.COUNTER, Channel.COUNTER.label),
        ]
        self.fields["channel"].initial = Channel.PHONE
        self.created = None

    def clean(self):
        data = super().clean()
        if self.errors or self.created is not None:
            return data
        try:
            with transaction.atomic():
                self.created = actions.request_submit(
                    by=self.user,
                    community=data["community"],
                    category=data["category"],
                    channel=data["channel"],
                    building=data.get("building"),
                    door_number=data.get("door_number", ""),
                    address=data.get("address", ""),
                    description=data.get("description", ""),
                    contact_name=data.get("contact_name", ""),
                    contact_phone=data.get("contact_phone", ""),
                )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        except PermissionDenied as exc:
            self.add_error("community", str(exc))
        return data


class ProcessForm(forms.Form):
    """One small form per step staff may take on a request now; each operation calls its action.

    ``operations_for`` offers only the steps the transition table allows from the request's status
    and the user's permissions allow; ``ProcessForm(op=...)`` keeps only the fields that step needs.
    """

    OPERATIONS = [
        ("accept", _("Accept")),
        ("assign", _("Hand over to someone")),
        ("start", _("Start work")),
        ("resolve", _("Resolve")),
        ("close", _("Close")),
        ("reject", _("Reject")),
        ("duplicate", _("Mark as duplicate")),
        ("note", _("Add a note")),
        ("follow_up", _("Record a follow-up call (回访)")),
        ("escalate", _("Escalate to the town (督办)")),
        ("post_fee", _("Post the fee to the ledger")),
        ("call", _("Show the phone to call the resident (the reason is logged)")),
    ]
    # the permission each operation needs (services.<perm>_servicerequest, from the roles table)
    NEEDS = {
        "accept": "triage",
        "assign": "triage",
        "start": "progress",
        "resolve": "progress",
        "close": "triage",
        "reject": "triage",
        "duplicate": "triage",
        "note": "progress",
        "follow_up": "progress",
        "escalate": "escalate",
        "post_fee": "triage",
        "call": "call",
    }
    # the fields each operation needs (the rest of the form is left out of its small form)
    FIELDS = {
        "accept": ["note", "public"],
        "assign": ["user", "department", "party_member", "note", "public"],
        "start": ["note", "public"],
        "resolve": ["note", "fee"],
        "close": ["note", "public"],
        "reject": ["note"],
        "duplicate": ["duplicate_of"],
        "note": ["note", "public"],
        "follow_up": ["reached", "satisfaction", "note"],
        "escalate": ["note"],
        "post_fee": [],
        "call": ["note"],
    }
    # the status a step moves the request to (checked against the transition table)
    MOVES_TO = {
        "accept": Status.ACCEPTED,
        "assign": Status.ASSIGNED,
        "start": Status.IN_PROGRESS,
        "resolve": Status.RESOLVED,
        "close": Status.CLOSED,
        "reject": Status.REJECTED,
        "duplicate": Status.DUPLICATE,
    }
    operation = forms.ChoiceField(label=_("Operation"), choices=OPERATIONS, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note or reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    public = forms.BooleanField(label=_("Show the note to the resident"), required=False)
    user = forms.ModelChoiceField(User.objects.none(), label=_("Assign to staff member"), required=False)
    department = forms.ModelChoiceField(Department.objects.none(), label=_("Assign to department"), required=False)
    party_member = forms.BooleanField(label=_("Assign to the covering party member"), required=False)
    fee = forms.DecimalField(label=_("Fee (yuan)"), max_digits=14, decimal_places=2, required=False)
    duplicate_of = forms.ModelChoiceField(ServiceRequest.objects.none(), label=_("Duplicate of"), required=False)
    reached = forms.BooleanField(label=_("Resident reached"), required=False, initial=True)
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=[("", "—"), *Rating.choices], required=False)

    @classmethod
    def operations_for(cls, request_obj: ServiceRequest, user) -> list[tuple[str, str]]:
        """The steps ``user`` may take on ``request_obj`` now.

        A step that moves the request is offered exactly when its target is in
        ``TRANSITIONS.targets(status)`` and the user's roles allow it; the steps that keep the status
        (a note, a follow-up, escalating, posting the fee, a call) when the request's state admits them.
        """
        targets = set(actions.TRANSITIONS.targets(request_obj.status))
        state_allows = {
            "note": True,
            "follow_up": request_obj.status in (Status.RESOLVED, Status.CLOSED),
            "escalate": request_obj.status in OPEN_STATUSES and request_obj.escalated_at is None,
            "post_fee": bool(request_obj.fee) and not request_obj.fee_posted,
            "call": bool(request_obj.contact_phone),
        }
        return [
            (op, label)
            for op, label in cls.OPERATIONS
            if permitted(user, ServiceRequest, cls.NEEDS[op])
            and (cls.MOVES_TO[op] in targets if op in cls.MOVES_TO else state_allows[op])
        ]

    def __init__(self, *args, request_obj: ServiceRequest, user, op: str | None = None, **kwargs):
        if op is not None:
            kwargs.setdefault("prefix", op)
            kwargs.setdefault("initial", {}).setdefault("operation", op)
        super().__init__(*args, **kwargs)
        self.request_obj = request_obj
        self.op = op
        self.revealed_phone = ""
        self.fields["operation"].choices = self.operations_for(request_obj, user)
        community = request_obj.community
        self.fields["user"].queryset = User.objects.filter(
            is_active=True, scope_level="community", community=community
        ).order_by("username")
        self.fields["department"].queryset = Department.objects.filter(county_id=community.town.county_id)
        self.fields["duplicate_of"].queryset = (
            ServiceRequest.objects.for_user(user).filter(community=community).exclude(pk=request_obj.pk)
        )
        self.suggested = actions.suggested_party_member(request_obj)
        if self.suggested is None:
            del self.fields["party_member"]
        else:
            self.fields["party_member"].help_text = str(self.suggested)
        if scope_of(user) is None:
            self.fields["user"].queryset = User.objects.none()
        if not permitted(user, ServiceRequest, "triage"):  # a liaison records progress, nothing else
            for name in ("user", "department", "party_member", "duplicate_of"):
                self.fields.pop(name, None)
        if op is not None:
            keep = {"operation", *self.FIELDS.get(op, [])}
            for name in [n for n in self.fields if n not in keep]:
                del self.fields[name]
            if op == "reject":
                self.fields["note"].label = _("Reason for rejecting (shown to the resident)")
                self.fields["note"].required = True
            elif op == "call":
                self.fields["note"].label = _("Why you need the phone (logged)")
                self.fields["note"].required = True
            elif op == "escalate":
                self.fields["note"].label = _("Why the town should step in")
                self.fields["note"].required = True

    def clean_operation(self):
        op = self.cleaned_data["operation"]
        if self.op is not None and op != self.op:
            raise ValidationError(_("Choose one of the steps offered."))
        return op

    def run(self, *, by):
        """Call the chosen action; its ValidationError becomes a form error."""
        data = self.cleaned_data
        op, pk, note = data["operation"], self.request_obj.pk, data.get("note", "")
        data = {"public": False, "reached": False, **data}
        try:
            if op == "accept":
                actions.request_move(by=by, request_id=pk, to="accepted", note=note, public=data["public"])
            elif op == "assign":
                actions.request_assign(
                    by=by,
                    request_id=pk,
                    user=data.get("user"),
                    department=data.get("department"),
                    party_member=self.suggested if data.get("party_member") else None,
                    note=note,
                    public=data["public"],
                )
            elif op == "start":
                actions.request_move(by=by, request_id=pk, to="in_progress", note=note, public=data["public"])
            elif op == "resolve":
                actions.request_resolve(by=by, request_id=pk, note=note, fee=data.get("fee"))
            elif op == "close":
                actions.request_move(by=by, request_id=pk, to="closed", note=note, public=data["public"])
            elif op == "reject":
                actions.request_reject(by=by, request_id=pk, reason=note)
            elif op == "duplicate":
                original = data.get("duplicate_of")
                actions.request_mark_duplicate(by=by, request_id=pk, original_id=original.pk if original else None)
            elif op == "note":
                actions.request_note(by=by, request_id=pk, note=note, public=data["public"])
            elif op == "follow_up":
                actions.request_follow_up(
                    by=by, request_id=pk, reached=data["reached"], satisfaction=data.get("satisfaction", ""), note=note
                )
            elif op == "escalate":
                actions.request_escalate(by=by, request_id=pk, note=note)
            elif op == "post_fee":
                actions.request_post_fee(by=by, request_id=pk)
            elif op == "call":
                self.revealed_phone = actions.request_reveal_phone(by=by, request_id=pk, reason=note)
        except PermissionDenied as exc:
            self.add_error(None, str(exc))
            return False
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, messages in exc.message_dict.items():
                    self.add_error(field if field in self.fields else "note" if field == "reason" else None, messages)
            else:
                self.add_error(None, exc.messages)
            return False
        return True
