"""The organiser's forms for a trade's exam: the blueprint (组卷), the seal, and the
corrections after the exam (答案异议). Numbers are passed on as typed, for the package's
rules to read (``contest.exams.setup``)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired

from contest.domain.exams import ItemType
from contest.domain.scoring import Aggregation
from contest.exams.models import ExamSetting
from contest.exams.setup import ExamInput
from contest.organise.forms import OrganiseForm, SubForm, choices_of, options, text, whole

#: Blank section rows the set-up form offers after the sections given (at least ``ROWS``).
BLANK_ROWS = 2
ROWS = 4


class SectionForm(SubForm):
    """A section of the blueprint."""

    type = SelectField(_l("Item type"), validate_choice=False)
    count = StringField(_l("Items"))
    marks = StringField(_l("Marks each"))
    tags = StringField(_l("Knowledge points (prefixes)"))
    level = StringField(_l("Levels"))
    difficulty_from = StringField(_l("Difficulty from"))
    difficulty_to = StringField(_l("Difficulty to"))
    partial = StringField(_l("Share for a partial answer"))
    step = StringField(_l("Step"))
    aggregation = SelectField(_l("Aggregation"), validate_choice=False)
    trim = StringField(_l("Trim"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = [("", "—"), *choices_of(ItemType)]
        self.aggregation.choices = [("", "—"), *choices_of(Aggregation)]


class ExamForm(OrganiseForm):
    """A trade's exam: the component it feeds, the bank, the time, the seed, the number of
    parallel papers and the sections."""

    component = SelectField(_l("Component fed by the exam"), validate_choice=False)
    bank = SelectField(_l("Question bank"), validate_choice=False)
    minutes = StringField(_l("Exam length (minutes)"))
    seed = StringField(
        _l("Seed"), description=_l("Anyone can draw the same papers again from this seed.")
    )
    papers = StringField(_l("Parallel papers"), default="1")
    sections = FieldList(FormField(SectionForm))
    submit = SubmitField(_l("Save"))


def _split(value: Any) -> list[str]:
    return [part for part in re.split(r"[,，、;；\s]+", text(value) or "") if part]


def section_data(row: SectionForm) -> dict[str, Any] | None:
    """A section row as a package writes it; None for a blank row."""
    given = {name: text(row[name].data) for name in row._fields}
    if not any(given.values()):
        return None
    found: dict[str, Any] = {}
    if given["tags"]:
        found["tags"] = _split(given["tags"])
    if given["level"]:
        found["level"] = _split(given["level"])
    if given["difficulty_from"] or given["difficulty_to"]:
        low = whole(given["difficulty_from"] or given["difficulty_to"])
        found["difficulty"] = [
            low,
            whole(given["difficulty_to"]) if given["difficulty_to"] else low,
        ]
    section: dict[str, Any] = {
        "type": given["type"],
        "count": whole(given["count"]),
        "marks": given["marks"],
        "filter": found or None,
        "partial": given["partial"],
        "step": given["step"],
        "aggregation": given["aggregation"],
        "trim": whole(given["trim"]),
    }
    return {key: value for key, value in section.items() if value is not None}


def exam_input(form: ExamForm) -> ExamInput:
    """The form as the service takes it: the rows given, blank rows left out."""
    sections = [section_data(entry.form) for entry in form.sections]
    component, bank = text(form.component.data), text(form.bank.data)
    return ExamInput(
        component_id=int(component) if component and component.isdigit() else None,
        bank_id=int(bank) if bank and bank.isdigit() else None,
        minutes=whole(form.minutes.data),
        seed=text(form.seed.data),
        papers=whole(form.papers.data),
        sections=[s for s in sections if s is not None],
    )


def section_row(given: dict[str, Any]) -> dict[str, Any]:
    """A stored section as a row of the form."""
    found = given.get("filter") or {}
    difficulty = found.get("difficulty") or ["", ""]
    return {
        "type": given.get("type", ""),
        "count": str(given.get("count", "")),
        "marks": str(given.get("marks", "")),
        "tags": ", ".join(found.get("tags", ())),
        "level": ", ".join(found.get("level", ())),
        "difficulty_from": str(difficulty[0]),
        "difficulty_to": str(difficulty[1]),
        "partial": str(given.get("partial", "")),
        "step": str(given.get("step", "")),
        "aggregation": given.get("aggregation", ""),
        "trim": str(given.get("trim", "")),
    }


def form_data(setting: ExamSetting | None, seed: str) -> dict[str, Any]:
    """The set-up form's data: the stored exam, else a new one with ``seed``."""
    if setting is None:
        return {"seed": seed, "papers": "1", "minutes": "90", "sections": []}
    return {
        "component": str(setting.component_id),
        "bank": str(setting.bank_id),
        "minutes": str(setting.minutes),
        "seed": setting.seed,
        "papers": str(setting.papers),
        "sections": [section_row(s) for s in setting.sections],
    }


def with_blank_rows(form: ExamForm) -> ExamForm:
    """Offer blank rows after the sections given, to add sections without JavaScript."""
    used = sum(1 for entry in form.sections if section_data(entry.form) is not None)
    while len(form.sections) < max(used + BLANK_ROWS, ROWS):
        form.sections.append_entry()
    return form


def choose(form: ExamForm, components: list, banks: list) -> ExamForm:
    """The choices of the trade's components without criteria and of the banks."""
    form.component.choices = options(
        [("", "—"), *((c.id, f"{c.code} {c.name}") for c in components)]
    )
    form.bank.choices = options([("", "—"), *((b.id, b.name) for b in banks)])
    return form


class SealForm(OrganiseForm):
    """Sealing (or opening, which seals) the papers, confirmed."""

    confirm = BooleanField(
        _l("I have checked the papers: seal them now. They can no longer change."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class KeyForm(OrganiseForm):
    """A corrected key of an item of the sealed papers."""

    item = SelectField(_l("Item"), validators=[DataRequired()])
    key = TextAreaField(
        _l("Correct key"),
        description=_l(
            "Single choice: B. Multiple choice: ACD. True or false: 对 or 错. Fill in the "
            "blanks: one line per blank, accepted answers separated by /."
        ),
    )
    reason = TextAreaField(_l("Reason"))
    submit = SubmitField(_l("Correct the key and re-mark"))


class VoidForm(OrganiseForm):
    """An item of the sealed papers voided."""

    item = SelectField(_l("Item"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"))
    submit = SubmitField(_l("Void the item and re-mark"))


def item_choices(form: KeyForm | VoidForm, codes: list[str]) -> KeyForm | VoidForm:
    """The items of the sealed papers as choices."""
    form.item.choices = options([("", "—"), *((code, code) for code in codes)])
    return form
