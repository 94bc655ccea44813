"""The refusal of a package: every problem found, each worded from its code."""

from __future__ import annotations

from contest.domain.exams import TooFewItems
from contest.domain.refusal import N_, Problem, Refused


class PackageError(Refused):
    """The document has problems; ``problems`` lists every one found."""

    reasons = {
        "invalid": N_("The package was not imported: %(n)d problem(s)."),
        "invalid_json": N_("The file is not valid JSON: %(error)s"),
        "not_object": N_("must be an object"),
        "unknown_key": N_("unknown key “%(key)s”"),
        "required": N_("is required"),
        "not_list": N_("must be a list"),
        "not_text": N_("must be non-empty text"),
        "too_long": N_("is longer than %(max)s characters"),
        "not_number": N_("“%(value)s” is not a number"),
        "unreasonable_number": N_(
            "“%(value)s” has more than %(whole)s digits before the decimal point or %(places)s "
            "after it"
        ),
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
        "select_exactly_one": N_(
            "must have exactly one of top, ranks, percent, top_by_field, manual"
        ),
        "percent_only": N_("“%(key)s” applies only with percent"),
        "not_true": N_("must be true"),
        "levels_with_to": N_("give either levels or to, not both"),
        "cap_below_to": N_("must not be below the level “%(to)s” that to promotes to"),
        "bad_rank_range": N_("must be two ranks [a, b] with 1 ≤ a ≤ b"),
        "bad_field_row": N_("each row must be [field size or null, places]"),
        "empty": N_("must not be empty"),
        "duplicate_criterion": N_("criterion codes must be unique within the trade"),
        "bad_tie_breaker": N_("“%(value)s” is not a tie-breaker of this trade"),
        "bad_team_tie_breaker": N_(
            "“%(value)s” is not a team tie-breaker of this trade (time or component:<code>)"
        ),
        "bad_penalty_kind": N_(
            "“%(value)s” is not a penalty kind (non-empty text of at most 32 characters)"
        ),
        "weights_not_one": N_("component weights add up to %(sum)s, not 1"),
        "direct_only": N_("“%(key)s” applies only to a component without criteria"),
        "bad_id_number": N_("is not a valid resident ID number: %(reason)s"),
        "id_birth_mismatch": N_("does not match the birth date %(birth_date)s"),
        "id_gender_mismatch": N_("does not match the gender %(gender)s"),
        "score_target": N_(
            "a score names either criterion and judge, item and judge, or component"
        ),
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
        "penalty_target": N_("a penalty names either criterion or component"),
        "duplicate_decision": N_("this entrant is named twice for this award rule"),
        "not_manual": N_("award rule “%(rule)s” does not select manually (manual: true)"),
        "manual_unranked": N_(
            "entrant “%(entrant)s” is not ranked, so the award rule does not select them"
        ),
        # EXAMS.md §5: the question bank, the exams and the answers
        "no_options": N_("a “%(type)s” item has no options"),
        "options_count": N_("must be 2–8 options (got %(n)s)"),
        "options_labels": N_("options must be labelled A, B, C … in order (got %(labels)s)"),
        "not_label": N_("must be the label of one option"),
        "not_label_list": N_("must be a list of different option labels"),
        "key_not_option": N_("“%(value)s” is not one of the item's options (%(labels)s)"),
        "multiple_key_short": N_("a multiple-choice key names at least two options"),
        "bad_fill_key": N_(
            "must be a list of blanks, each a non-empty list of accepted answers (text)"
        ),
        "duplicate_stem": N_(
            "item “%(code)s” has the same stem as item “%(other)s” (after normalisation)"
        ),
        "bad_difficulty_range": N_("must be two difficulties [a, b] with 1 ≤ a ≤ b ≤ 5"),
        "section_key": N_("“%(key)s” applies only to a section of %(type)s items"),
        "exam_with_criteria": N_(
            "component “%(component)s” has criteria; an exam feeds a component without criteria"
        ),
        "duplicate_exam": N_("trade “%(trade)s” already has an exam (%(other)s)"),
        "too_few_items": TooFewItems.reasons[TooFewItems.TOO_FEW],
        "voided_not_on_paper": N_("item “%(item)s” is on none of the exam's papers"),
        "all_voided": N_("voids every item of paper %(paper)s"),
        "exam_component_scored": N_(
            "component “%(component)s” is fed by its exam and takes no direct scores"
        ),
        "no_exam": N_("the trade “%(trade)s” of entrant “%(entrant)s” has no exam"),
        "not_on_paper": N_("item “%(item)s” is not on paper %(paper)s, which this entrant sits"),
        "short_answer": N_(
            "item “%(item)s” is marked by judges: give its marks as scores with item, "
            "not as an answer"
        ),
        "not_short": N_("item “%(item)s” is a %(type)s item; judges mark only short items"),
        "score_not_on_exam_panel": N_("this judge is not on the panel that marks this exam"),
        "response_single": N_("must be one of the item's option labels (%(labels)s) or null"),
        "response_multiple": N_(
            "must be a list of different option labels of the item (%(labels)s) or null"
        ),
        "response_judge": N_("must be true, false or null"),
        "response_fill": N_(
            "must be a list of %(n)s answers (text or null), one for each blank, or null"
        ),
    }

    def __init__(self, problems: list[Problem]):
        super().__init__("invalid", problems=problems, n=len(problems))
