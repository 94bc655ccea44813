"""Wording of the domain's problem codes in the user's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import get_locale, gettext

from contest.domain.idcard import IdNumberError
from contest.domain.package import Problem
from contest.domain.registration import COLUMN_TITLES, RowProblem
from contest.domain.stages import StageKind
from contest.labels import label


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated when shown."""
    return message


PROBLEMS = {
    "invalid_json": N_("The file is not valid JSON: %(error)s"),
    "not_object": N_("must be an object"),
    "unknown_key": N_("unknown key “%(key)s”"),
    "required": N_("is required"),
    "not_list": N_("must be a list"),
    "not_text": N_("must be non-empty text"),
    "too_long": N_("is longer than %(max)s characters"),
    "not_number": N_("“%(value)s” is not a number"),
    "not_positive": N_("must be greater than 0 (got %(value)s)"),
    "too_small": N_("must be at least %(min)s (got %(value)s)"),
    "too_large": N_("must be at most %(max)s (got %(value)s)"),
    "not_integer": N_("“%(value)s” is not a whole number"),
    "not_boolean": N_("must be true or false"),
    "not_choice": N_("“%(value)s” is not one of: %(choices)s"),
    "not_date": N_("“%(value)s” is not a date (YYYY-MM-DD)"),
    "not_datetime": N_("“%(value)s” is not a date and time (ISO 8601)"),
    "no_offset": N_("“%(value)s” needs a time zone offset such as +08:00"),
    "duplicate": N_("the code “%(code)s” is used more than once"),
    "bad_format_name": N_("must be “%(expected)s”"),
    "bad_slug": N_("“%(value)s” must be 3–64 lower-case letters, digits or dashes"),
    "bad_timezone": N_("“%(value)s” is not a known time zone"),
    "closes_before_opens": N_("must be later than the opening time"),
    "select_exactly_one": N_("must have exactly one of top, ranks, percent, top_by_field"),
    "bad_rank_range": N_("must be two ranks [a, b] with 1 ≤ a ≤ b"),
    "bad_field_row": N_("each row must be [field size or null, places]"),
    "empty": N_("must not be empty"),
    "duplicate_criterion": N_("criterion codes must be unique within the trade"),
    "bad_tie_breaker": N_("“%(value)s” is not a tie-breaker of this trade"),
    "weights_not_one": N_("component weights add up to %(sum)s, not 1"),
    "direct_only": N_("“%(key)s” applies only to a component without criteria"),
    "bad_id_number": N_("is not a valid resident ID number: %(reason)s"),
    "id_birth_mismatch": N_("does not match the birth date %(birth_date)s"),
    "id_gender_mismatch": N_("does not match the gender %(gender)s"),
    "score_target": N_("a score names either criterion and judge, or component"),
    "dangling": N_("refers to an unknown %(what)s “%(ref)s”"),
    "judge_not_on_trade": N_("judge “%(judge)s” is not on the panel of trade “%(trade)s”"),
    "team_of_other_unit": N_("team “%(team)s” belongs to another unit"),
    "duplicate_person": N_("the same person is already entered in this trade (%(other)s)"),
    "duplicate_score": N_("this score is given twice"),
    "score_out_of_range": N_("%(value)s is outside 0–%(max)s"),
    "score_off_step": N_("%(value)s is not a multiple of %(step)s"),
    "score_recused": N_("this judge is from the entrant's unit and must not score them"),
    "score_excused": N_("this judge was excused from this entrant"),
    "score_not_on_panel": N_("this judge is not on the panel for this criterion"),
    "duplicate_entry": N_("given twice for the same entrant"),
}

#: Registration problems (a form field or a roster cell), in addition to PROBLEMS.
ROW_PROBLEMS = {
    "bad_gender": N_("must be 男 or 女"),
    "bad_phone": N_("must be an 11-digit mobile number"),
    "bad_skill_level": N_("must be one of 初级工, 中级工, 高级工, 技师, 高级技师"),
    "unknown_trade": N_("“%(value)s” is not a trade of this event"),
    "too_young": N_(
        "is %(age)s on the first day of the event; the trade requires at least %(min)s"
    ),
    "too_old": N_("is %(age)s on the first day of the event; the trade allows at most %(max)s"),
    "skill_too_low": N_("the trade requires at least %(min)s"),
    "duplicate_in_batch": N_("the same person appears again (row %(row)s)"),
    "already_registered": N_("this person is already registered in trade %(trade)s"),
    "registered_elsewhere": N_("this person is already registered by unit %(unit)s"),
    "over_quota": N_("exceeds the quota of %(quota)s entrants per unit in trade %(trade)s"),
    "over_capacity": N_("exceeds the capacity of %(capacity)s entrants in trade %(trade)s"),
    "not_xlsx": N_("The file is not an Excel workbook (.xlsx)."),
    "too_many_rows": N_("The roster has more than %(max)s rows."),
    "empty_roster": N_("The roster has no entrants."),
    "bad_header": N_("The first row must be the template's header: %(expected)s"),
    "id_as_number": N_(
        "Excel stored the number as a figure and lost digits; format the column as text"
    ),
    "bad_date": N_("must be a date or YYYY-MM-DD"),
    "id_birth_mismatch": N_("does not match the ID number, which gives %(birth_date)s"),
    "id_gender_mismatch": N_("does not match the ID number, which gives %(gender)s"),
}

THINGS = {
    "trade": N_("trade"),
    "unit": N_("unit"),
    "team": N_("team"),
    "entrant": N_("entrant"),
    "judge": N_("judge"),
    "panel_judge": N_("judge of this trade's panel"),
    "criterion": N_("criterion of this trade"),
    "component": N_("component of this trade"),
    "direct_component": N_("component scored directly"),
}

GENDER_NAMES = {"M": N_("Male"), "F": N_("Female")}

ID_NUMBER_REASONS = {
    IdNumberError.LENGTH: N_("it must have 18 characters"),
    IdNumberError.CHARACTERS: N_("only digits, with X allowed as the last character"),
    IdNumberError.REGION: N_("the region code is not valid"),
    IdNumberError.BIRTH_DATE: N_("the birth date in it is not valid"),
    IdNumberError.CHECK_DIGIT: N_("the check digit is wrong"),
}


def describe_row(problem: RowProblem) -> str:
    """What is wrong with one field of a registration (without its row or column)."""
    params = dict(problem.params)
    if "reason" in params:
        params["reason"] = gettext(ID_NUMBER_REASONS.get(params["reason"], params["reason"]))
    if "gender" in params:
        params["gender"] = gettext(GENDER_NAMES.get(params["gender"], params["gender"]))
    template = ROW_PROBLEMS.get(problem.code) or PROBLEMS.get(problem.code)
    return gettext(template, **params) if template is not None else problem.code


def describe(problem: Problem) -> str:
    """One line for a problem: its path in the document and what is wrong there."""
    params = dict(problem.params)
    if "what" in params:
        params["what"] = gettext(THINGS.get(params["what"], params["what"]))
    if "reason" in params:
        params["reason"] = gettext(ID_NUMBER_REASONS.get(params["reason"], params["reason"]))
    template = PROBLEMS.get(problem.code)
    text = gettext(template, **params) if template is not None else problem.code
    return f"{problem.path}: {text}" if problem.path else text


def describe_roster(problem: RowProblem) -> str:
    """A roster problem as one line: Excel row, column title, what is wrong."""
    where = []
    if problem.row > 0:
        where.append(gettext("row %(row)d", row=problem.row))
    if problem.column:
        where.append(COLUMN_TITLES.get(problem.column, problem.column))
    text = describe_row(problem)
    return gettext("%(where)s: %(text)s", where=" ".join(where), text=text) if where else text


#: Why a judge's save or submit was refused (services.sheets.SheetError codes).
SHEET_PROBLEMS = {
    "not_on_panel": N_("You are not on the judging panel of this trade."),
    "recused": N_("You are from this entrant's unit and must not score them (recusal)."),
    "excused": N_("The chief judge has excused you from this entrant."),
    "not_competing": N_("This entrant is not competing in this trade."),
    "locked": N_("The chief judge has locked this trade; scores can no longer be changed."),
    "window_closed": N_("Scoring is not open for this trade."),
    "out_of_range": N_("Enter a value from 0 to %(max)s."),
    "off_step": N_("Enter a multiple of %(step)s."),
    "unknown_criterion": N_("There is no criterion %(criterion)s on this sheet."),
    "conflict": N_("This value was changed on another device. Reload the sheet to see it."),
    "incomplete": N_("Enter every criterion before submitting (missing: %(missing)s)."),
    "reason_required": N_("The sheet has been submitted: give the reason for the change."),
    "double_entry": N_("This trade uses double entry of paper sheets by two clerks."),
    "bad_request": N_("The request could not be understood."),
    "bad_key": N_("Every save needs an idempotency key."),
    "not_locked": N_("The trade is not locked."),
    "already_excused": N_("This judge is already excused from this entrant."),
}


def describe_sheet(code: str, **params: object) -> str:
    """A refusal of the score sheet or the chief judge's desk, in the user's language."""
    if code == "window_closed" and "stage" in params:
        return describe_closure(**params)  # type: ignore[arg-type]
    template = SHEET_PROBLEMS.get(code)
    return gettext(template, **params) if template is not None else code


#: Why an action on the chief judge's desk was refused (services.chief.ChiefError codes);
#: codes not listed here read as on the score sheet (SHEET_PROBLEMS).
CHIEF_PROBLEMS = {
    "locked": N_("The trade is locked (signed off). Unlock it with a reason to make changes."),
    "not_locked": N_("The trade is not locked."),
    "incomplete": N_(
        "The trade cannot be signed off yet: %(count)s item(s) are outstanding (listed below)."
    ),
    "reason_required": N_("Give a reason."),
    "not_on_panel": N_("This judge is not on the panel of this trade."),
    "not_competing": N_("This entrant is not competing in this trade."),
    "recused": N_("This judge is from the entrant's unit and is already off their panel."),
    "excused": N_("This judge has been excused from this entrant."),
    "already_excused": N_("This judge is already excused from this entrant."),
    "rescore_open": N_("This judge has already been asked to score this entrant again."),
    "nothing_to_rescore": N_(
        "This judge has not submitted a sheet for this entrant: there is nothing to re-score."
    ),
    "double_entry": N_(
        "This trade uses double entry of paper sheets: have both clerks correct the entries."
    ),
    "double_entry_off": N_("Double entry of paper sheets is not switched on for this trade."),
    "bad_time": N_("Enter the time in seconds (e.g. 754.5) or as minutes:seconds (e.g. 12:34.5)."),
    "bad_number": N_("Enter a number."),
    "unknown_user": N_("There is no active account “%(username)s”."),
    "clerk_role": N_("“%(username)s” cannot be a clerk: only staff and judges' accounts can."),
    "already_clerk": N_("“%(username)s” is already a clerk of this trade."),
    "not_clerk": N_("“%(username)s” is not a clerk of this trade."),
}


def describe_chief(code: str, **params: object) -> str:
    """A refusal of the chief judge's desk or the clerks' page, in the user's language."""
    template = CHIEF_PROBLEMS.get(code) or SHEET_PROBLEMS.get(code)
    simple = {k: v for k, v in params.items() if isinstance(v, str | int)}
    return gettext(template, **simple) if template is not None else code


WINDOW_STATES = {
    "closed": N_("The %(stage)s window closed at %(at)s."),
    "pending": N_("The %(stage)s window is not open yet; it opens at %(at)s."),
    None: N_("No %(stage)s window is planned."),
}


def describe_closure(
    stage: str, state: str | None, at: str | None, timezone: str | None, **_: object
) -> str:
    """Why a write was refused by its stage window, naming the window and the time."""
    when = ""
    if at is not None:
        moment = datetime.fromisoformat(at).astimezone(ZoneInfo(timezone or "Asia/Shanghai"))
        when = format_datetime(moment, "short", locale=get_locale())
    template = WINDOW_STATES.get(state, WINDOW_STATES["closed"])
    if at is None and state is not None:
        template = WINDOW_STATES[None]
    return gettext(template, stage=label(StageKind(stage)), at=when)


APPEAL_PROBLEMS = {
    "not_competing": N_("This entrant is not competing, so no appeal can be filed."),
    "duplicate": N_("An appeal has already been filed for this entrant; only one is allowed."),
    "text": N_("Write the appeal in %(low)s to %(high)s characters."),
    "decided": N_("This appeal has already been decided."),
    "reason_required": N_("Give the reason for the decision."),
    "published": N_("The results are published; appeals can no longer be decided."),
}


def describe_appeal(code: str, **params: object) -> str:
    """A refused appeal step, in the user's language."""
    template = APPEAL_PROBLEMS.get(code)
    return gettext(template, **params) if template is not None else code


NOTICE_PROBLEMS = {
    "not_published": N_("The nomination list has not been published for public notice."),
    "unknown_nomination": N_("There is no such nomination on the list."),
    "name": N_("Give your real name (%(low)s to %(high)s characters)."),
    "phone": N_("Give a mobile number (11 digits) or a landline with its area code."),
    "text": N_("Write the objection in %(low)s to %(high)s characters."),
    "decided": N_("This objection has already been decided."),
    "reason_required": N_("Give the reason for the decision."),
    "action_required": N_("Say what the upheld objection does: remove the nomination or move it."),
    "unknown_award": N_("Choose another award list to move the nomination to."),
    "published": N_("The results are published; objections can no longer be decided."),
}


def describe_notice(code: str, **params: object) -> str:
    """A refused objection or decision, in the user's language."""
    template = NOTICE_PROBLEMS.get(code)
    return gettext(template, **params) if template is not None else code
