"""The question bank's forms: a new bank, the uploads, and the item editor, whose fields are
the Excel template's columns checked by the same rules (``contest.domain.exam_bank``)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from contest.core.refusals import describe_problem
from contest.domain import exam_bank
from contest.domain.exam_bank import BankImportError
from contest.domain.exams import LABELS, Item, ItemType
from contest.domain.skills import SKILL_LADDER
from contest.organise.forms import OrganiseForm, choices_of, options

OPTION_FIELDS = tuple(f"option_{label.lower()}" for label in LABELS)
#: The form's field for each column of the template.
FIELD_OF = {
    exam_bank.TYPE: "type",
    exam_bank.STEM: "stem",
    "选项": "option_a",
    **dict(zip(exam_bank.OPTIONS, OPTION_FIELDS, strict=True)),
    exam_bank.KEY: "key",
    exam_bank.MARKS: "marks",
    exam_bank.DIFFICULTY: "difficulty",
    exam_bank.TAGS: "tags",
    exam_bank.LEVEL: "level",
    exam_bank.EXPLANATION: "explanation",
}


class BankForm(OrganiseForm):
    """A new question bank."""

    name = StringField(_l("Bank name"), validators=[Length(max=200)])
    submit = SubmitField(_l("Create the bank"))


class ExcelImportForm(OrganiseForm):
    """A filled Excel template."""

    file = FileField(
        _l("Excel file (.xlsx)"),
        validators=[
            FileRequired(message=_l("Choose a file to upload.")),
            FileAllowed(["xlsx"], message=_l("Upload the items as an .xlsx workbook.")),
        ],
    )
    submit = SubmitField(_l("Import from Excel"))


class JsonImportForm(OrganiseForm):
    """A bank as JSON (the package's ``question_bank``)."""

    file = FileField(
        _l("JSON file"),
        validators=[
            FileRequired(message=_l("Choose a file to upload.")),
            FileAllowed(["json"], message=_l("Upload the items as a .json file.")),
        ],
    )
    submit = SubmitField(_l("Import from JSON"))


def _option(label: str) -> StringField:
    return StringField(_l("Option %(label)s", label=label), validators=[Length(max=1000)])


class ItemForm(OrganiseForm):
    """An item of the bank, as a row of the template."""

    refusal_fields = {"bad_image": "image", "image_too_large": "image", "same_stem": "stem"}

    type = SelectField(_l("Item type"))
    stem = TextAreaField(_l("Stem"), render_kw={"rows": 4})
    option_a = _option("A")
    option_b = _option("B")
    option_c = _option("C")
    option_d = _option("D")
    option_e = _option("E")
    option_f = _option("F")
    option_g = _option("G")
    option_h = _option("H")
    key = TextAreaField(
        _l("Answer"),
        render_kw={"rows": 2},
        description=_l(
            "Single choice: one label (B). Multiple choice: two or more labels (ABD or A,B,D). "
            "True or false: 对 or 错. Fill in the blanks: blanks separated by |, accepted "
            "answers of one blank by / (氩气/Ar|直流正接). Short answer: the reference answer."
        ),
    )
    marks = StringField(_l("Marks"), description=_l("Greater than 0; 1 when left empty."))
    difficulty = StringField(_l("Difficulty"), description=_l("1 (easiest) to 5 (hardest)."))
    tags = StringField(
        _l("Knowledge points"), description=_l("Separated by commas or 、, e.g. 2.1.3、1.2")
    )
    level = SelectField(_l("Level"))
    explanation = TextAreaField(_l("Explanation"), render_kw={"rows": 2})
    image = FileField(
        _l("Image shown with the stem"),
        validators=[
            FileAllowed(["png", "jpg", "jpeg"], message=_l("The image must be PNG or JPEG."))
        ],
        description=_l("PNG or JPEG, at most 2 MB."),
    )
    remove_image = BooleanField(_l("Remove the image"))
    submit = SubmitField(_l("Save the item"))

    def prepare(self) -> ItemForm:
        """The choices of the selects."""
        self.type.choices = choices_of(ItemType)
        self.level.choices = options([("", "—"), *((lv, lv) for lv in SKILL_LADDER)])
        return self

    @classmethod
    def of(cls, item: Item) -> ItemForm:
        """The form filled with an item."""
        cells = dict(zip(exam_bank.HEADER, exam_bank.row_cells(item), strict=True))
        data: dict[str, Any] = {
            name: "" if cells[column] is None else str(cells[column])
            for column, name in FIELD_OF.items()
            if column in cells
        }
        data["type"] = item.type.value
        return cls(data=data).prepare()

    def checked(self, code: str) -> Item | None:
        """The item the form describes, checked by the template's rules; None, with the
        messages on the fields, if it has problems."""
        kind = ItemType(self.type.data) if self.type.data in set(ItemType) else None
        cells: list[Any] = [
            code,
            exam_bank.TYPE_TITLES[kind] if kind else self.type.data,
            self.stem.data,
            *(self[name].data for name in OPTION_FIELDS),
            self.key.data,
            self.marks.data,
            self.difficulty.data,
            self.tags.data,
            self.level.data,
            self.explanation.data,
        ]
        row, problems = exam_bank.read_row(0, cells)
        for problem in problems:
            target = self[FIELD_OF.get(problem.column or "", "stem")]
            message = describe_problem(BankImportError, problem, located=False)
            if message not in target.errors:
                target.errors = [*target.errors, message]
        return row.item
