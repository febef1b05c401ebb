"""Reading the forms of a rendered page, and the hostile values the form sweep posts into them."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

MARK = "x-hostile-7f3a"
SCRIPT = f"<script>alert('{MARK}')</script>"
RAW_SCRIPT = f"<script>alert('{MARK}')".encode()  # what must never appear unescaped in a page
OVERSIZED = SCRIPT + "长" * 10_000  # 10,000 characters and more, script-laden

# one value per variant, put into every field the user can type into or choose from
VARIANTS = {
    # 10,000 characters and more with a script (and in every other field a NUL byte): into text, numbers,
    # keys, dates and choices alike
    "oversized-script-nul": lambda name: OVERSIZED + ("\x00" if len(name) % 2 else ""),
    # a 30-digit number for every key, count and amount (beyond any column), impossible dates and times
    "huge-numbers-bad-dates": lambda name: (
        ("2026-02-30" if not name.endswith("_1") else "25:61") if _datey(name) else "9" * 30
    ),
    # several values where one belongs, negative out-of-range numbers, a time where a date belongs
    "wrong-types": lambda name: "25:61:00" if _datey(name) else ["-2147483649", "[]", "{}"],
}
MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")


def _datey(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in ("date", "day", "_on", "_at", "start", "end", "until", "from", "_0", "_1"))


@dataclass
class Form:
    action: str
    method: str
    fields: dict = field(default_factory=dict)  # name -> current value (str or list)
    editable: list = field(default_factory=list)  # names a person can change
    texts: list = field(default_factory=list)  # names of text inputs and textareas
    files: list = field(default_factory=list)

    def baseline(self) -> dict:
        return dict(self.fields)

    def hostile(self, variant: str) -> dict:
        make = VARIANTS[variant]
        data = self.baseline()
        for name in self.editable:
            data[name] = make(name)
        return data

    def with_script_text(self) -> dict:
        data = self.baseline()
        for name in self.texts:
            data[name] = SCRIPT
        return data


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: tuple[str, bool] | None = None
        self.selected: list = []
        self.first_option = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = Form(action=a.get("action") or "", method=(a.get("method") or "get").lower())
            self.forms.append(self.current)
            return
        form = self.current
        if form is None or "name" not in a and tag in ("input", "select", "textarea"):
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a["name"]
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind == "file":
                form.files.append(name)
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.setdefault(name, a.get("value", "on"))
                if name not in form.editable:
                    form.editable.append(name)
                return
            form.fields[name] = a.get("value", "")
            if kind != "hidden" and name != "csrfmiddlewaretoken":
                form.editable.append(name)
                if kind in ("text", "search", "email", "tel", "url"):
                    form.texts.append(name)
            elif kind == "hidden" and not name.endswith(MANAGEMENT) and name != "csrfmiddlewaretoken":
                form.editable.append(name)  # hidden ids and keys are input too
        elif tag == "select":
            self.select = (a["name"], "multiple" in a)
            self.selected, self.first_option = [], None
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in a:
                self.selected.append(value)
        elif tag == "textarea":
            self.textarea, self.text = a["name"], ""

    def handle_endtag(self, tag):
        form = self.current
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None and form is not None:
            name, multiple = self.select
            if multiple:
                form.fields[name] = self.selected
            elif self.selected or self.first_option is not None:
                form.fields[name] = self.selected[0] if self.selected else self.first_option
            form.editable.append(name)
            self.select = None
        elif tag == "textarea" and self.textarea is not None and form is not None:
            form.fields[self.textarea] = self.text.lstrip("\n")
            form.editable.append(self.textarea)
            form.texts.append(self.textarea)
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data


def forms_of(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def post_forms_of(html: str) -> list[Form]:
    return [form for form in forms_of(html) if form.method == "post"]
