"""Question bank screens (题库): the banks, the Excel template, imports from Excel and JSON
with a full error report, the JSON export, the items with search and filters, the item
editor with its version history, the practice flag and the stem's image. A bank belongs to
no single event: every organiser sees every bank."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.access import STAFF, roles_required
from contest.core import pagination
from contest.core.extensions import db
from contest.core.files import XLSX
from contest.core.refusals import describe, describe_problem
from contest.core.web import on_refusal
from contest.domain.exam_bank import Plan, key_text
from contest.domain.exams import ItemType
from contest.domain.refusal import Refused
from contest.domain.skills import SKILL_LADDER
from contest.exams import bank as banks
from contest.exams.models import QuestionBank, QuestionItem
from contest.exams.services import item_of
from contest.organise.bank_forms import BankForm, ExcelImportForm, ItemForm, JsonImportForm
from contest.organise.base import submitted
from contest.organise.forms import text

bp = Blueprint("banks", __name__, url_prefix="/banks")


def _bank(bank_id: int) -> QuestionBank:
    return db.get_or_404(QuestionBank, bank_id)


def _item(bank: QuestionBank, item_id: int) -> QuestionItem:
    """The latest version of the item whose version ``item_id`` is; 404 unless in the bank."""
    row = db.session.get(QuestionItem, item_id)
    if row is None or row.bank_id != bank.id:
        abort(404)
    return banks.latest_version(row)


@bp.route("/", methods=["GET", "POST"])
@roles_required(*STAFF)
def index():
    """Every bank with its items by type; a new bank."""
    form = BankForm()

    def page(refused: Refused | None = None):
        return render_template(
            "organise/banks.html", banks=banks.bank_summaries(), form=form, types=list(ItemType)
        )

    if form.validate_on_submit():
        on_refusal(page, form, field="name")
        bank = banks.create_bank(current_user, text(form.name.data))
        flash(_("The question bank %(name)s is created.", name=bank.name), "success")
        return redirect(url_for(".bank", bank_id=bank.id))
    return page(), submitted(form)


@bp.get("/template.xlsx")
@roles_required(*STAFF)
def template():
    """The Excel template of a bank's items, with its instructions."""
    return send_file(
        io.BytesIO(banks.template()),
        mimetype=XLSX,
        as_attachment=True,
        download_name="question-bank-template.xlsx",
    )


def _filters() -> banks.ItemFilters:
    """The filters the address asks for (nonsense ignored)."""
    args = request.args
    kind = args.get("type", "")
    difficulty = args.get("difficulty", "")
    public = args.get("public", "")
    return banks.ItemFilters(
        text=text(args.get("q")),
        type=ItemType(kind) if kind in set(ItemType) else None,
        tag=text(args.get("tag")),
        level=args.get("level") if args.get("level") in SKILL_LADDER else None,
        difficulty=int(difficulty) if difficulty in ("1", "2", "3", "4", "5") else None,
        public={"yes": True, "no": False}.get(public),
    )


def _bank_page(bank: QuestionBank, status: int = 200, **context):
    context.setdefault("excel_form", ExcelImportForm())
    context.setdefault("json_form", JsonImportForm())
    filters = _filters()
    return (
        render_template(
            "organise/bank.html",
            bank=bank,
            items=banks.search(bank, filters, pagination.requested()),
            filters=filters,
            types=list(ItemType),
            levels=SKILL_LADDER,
            **context,
        ),
        status,
    )


@bp.get("/<int:bank_id>")
@roles_required(*STAFF)
def bank(bank_id: int):
    """The bank's items (latest versions) with search and filters, and its imports."""
    return _bank_page(_bank(bank_id))


def _imported(bank: QuestionBank, plan: Plan):
    counts = banks.summary_counts(plan)
    flash(
        _(
            "Imported: %(new)d new item(s), %(changed)d new version(s) of changed items, "
            "%(unchanged)d unchanged.",
            **counts,
        ),
        "success",
    )
    if plan.unchanged:
        flash(_("Unchanged: %(codes)s", codes=banks.codes_text(plan.unchanged)), "info")
    return redirect(url_for(".bank", bank_id=bank.id))


def _report(bank: QuestionBank, key: str, form):
    def page(refused: Refused):
        report = [describe_problem(refused, p) for p in refused.problems]
        return _bank_page(bank, 400, **{key: form, "report": report, "summary": describe(refused)})

    return page


@bp.post("/<int:bank_id>/import")
@roles_required(*STAFF)
def import_excel(bank_id: int):
    """Import a filled Excel template: every row or none, with every problem by row."""
    bank = _bank(bank_id)
    form = ExcelImportForm()
    if not form.validate_on_submit():
        return _bank_page(bank, 400, excel_form=form)
    on_refusal(_report(bank, "excel_form", form))
    plan = banks.read_workbook(form.file.data.stream, bank)
    return _imported(bank, banks.apply(current_user, bank, plan, "xlsx"))


@bp.post("/<int:bank_id>/import-json")
@roles_required(*STAFF)
def import_json(bank_id: int):
    """Import items as JSON (the package's ``question_bank``): all or none."""
    bank = _bank(bank_id)
    form = JsonImportForm()
    if not form.validate_on_submit():
        return _bank_page(bank, 400, json_form=form)
    on_refusal(_report(bank, "json_form", form))
    plan = banks.read_json(form.file.data.stream, bank)
    return _imported(bank, banks.apply(current_user, bank, plan, "json"))


@bp.get("/<int:bank_id>/export.json")
@roles_required(*STAFF)
def export_json(bank_id: int):
    """The bank's latest versions as the package's ``question_bank``."""
    bank = _bank(bank_id)
    return send_file(
        io.BytesIO(banks.export_bytes(bank)),
        mimetype="application/json",
        as_attachment=True,
        download_name=f"question-bank-{bank.id}.json",
    )


@bp.route("/<int:bank_id>/items/<int:item_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def item(bank_id: int, item_id: int):
    """Edit an item: a new version when a sealed paper uses the current one, else in place;
    its versions, newest first."""
    bank = _bank(bank_id)
    row = _item(bank, item_id)
    form = ItemForm().prepare() if request.method == "POST" else ItemForm.of(item_of(row))

    def page(refused: Refused | None = None):
        return render_template(
            "organise/bank_item.html",
            bank=bank,
            item=row,
            form=form,
            versions=(versions := banks.history(row)),
            answers={v.id: key_text(item_of(v)) for v in versions},
            sealed=banks.sealed_versions(row),
        )

    if not form.validate_on_submit():
        return page(), submitted(form)
    checked = form.checked(row.code)
    if checked is None:
        return page(), 400
    on_refusal(page, form, field="stem")
    upload = form.image.data.stream if form.image.data else None
    image = None if form.remove_image.data else banks.KEEP
    saved = banks.edit_item(current_user, row, checked, image, upload)
    if saved is None:
        flash(_("Nothing changed."), "info")
    elif saved is row:
        flash(_("Item %(code)s is saved.", code=row.code), "success")
    else:
        flash(
            _(
                "Version %(old)d of item %(code)s is on a sealed paper: the changes are saved "
                "as version %(new)d.",
                code=row.code,
                old=row.version,
                new=saved.version,
            ),
            "success",
        )
    return redirect(url_for(".item", bank_id=bank.id, item_id=(saved or row).id))


@bp.post("/<int:bank_id>/items/<int:item_id>/public")
@roles_required(*STAFF)
def public(bank_id: int, item_id: int):
    """Offer the item for practice (模拟练习), or stop offering it."""
    bank = _bank(bank_id)
    row = _item(bank, item_id)
    wanted = {"yes": True, "no": False}.get(request.form.get("public", ""))
    if wanted is None:
        abort(400)
    banks.set_public(current_user, row, wanted)
    if request.form.get("back") == "bank":
        return redirect(url_for(".bank", bank_id=bank.id))
    return redirect(url_for(".item", bank_id=bank.id, item_id=row.id))


@bp.get("/<int:bank_id>/images/<name>")
@roles_required(*STAFF)
def image(bank_id: int, name: str):
    """The image of an item's stem (staff only)."""
    path = banks.image_of(_bank(bank_id), name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/png" if name.endswith(".png") else "image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
