"""The shape of a ``contest-package/1`` document (PACKAGE.md) as pydantic models.

Each object of the document is a ``Node`` (``read_object``): unknown keys are refused, a
member that is null counts as absent, and the checks of one object's keys taken together
(its ``together``) are reported beside pydantic's own. What needs more than one object — codes
used twice, references, scores in range — is the reader's (``sections``, ``references``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, NotRequired, Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PlainValidator,
    Strict,
    ValidationError,
    ValidationInfo,
    WrapValidator,
    field_validator,
    model_validator,
    with_config,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from contest.domain import idcard
from contest.domain.awards import Base, Rounding
from contest.domain.exams import LABELS, ItemType
from contest.domain.package.fields import (
    Code,
    Day,
    Fault,
    Flag,
    Instant,
    NotNegative,
    Number,
    Percent,
    Positive,
    Text,
    Whole,
    fault,
    member,
    one_of,
    rejected,
    reported,
    text,
)
from contest.domain.scoring import Aggregation, CriterionKind, DeclaredStatus, Recusal
from contest.domain.skills import SKILL_LADDER, skill_rank

PACKAGE_FORMAT = "contest-package/1"
SLUG = re.compile(r"^[a-z0-9-]{3,64}$")
UNIT_KINDS = ("district", "industry", "enterprise", "other")
#: The ways an award rule selects entrants (``select``): exactly one is given.
WAYS = ("top", "ranks", "percent", "top_by_field", "manual")
#: What a score is given for: a criterion or a short exam item by a judge, or a component
#: directly.
TARGETS = ("criterion", "judge", "component", "item")
#: The genders an award rule may be limited to (SCORING.md §7).
GENDERS = ("F", "M")

AtLeastOne = Annotated[Whole, Field(ge=1)]
Code64 = Annotated[str, Strict(), text(64)]
Name = Annotated[str, Strict(), text(100)]
#: A penalty's kind (安全文明生产, 设备损坏, …), as the organisers name it.
KIND_LENGTH = 32
Kind = Annotated[str, Strict(), text(KIND_LENGTH)]
Reason = Annotated[str, Strict(), text(500)]


_OWN = {(1, "extra_forbidden"): 0, (1, "missing"): 1}
Rule = Callable[[dict[str, Any], list[Fault]], list[Fault]]
T = TypeVar("T")


def read_object(
    data: Any, handler: Callable[[Any], T], fields: Collection[str], rule: Rule | None, title: str
) -> T:
    """Read an object with pydantic (``handler``): a null member counts as absent (unless the
    key is unknown), and ``rule`` adds the problems of its keys taken together."""
    given = data
    if isinstance(data, dict) and None in data.values():
        data = {k: v for k, v in data.items() if v is not None or k not in fields}
    try:
        node = handler(data)
    except ValidationError as error:
        if not isinstance(given, dict):
            raise
        # As the object is read: its unknown keys, its missing ones, then each member.
        found = sorted(reported(error), key=lambda f: _OWN.get((len(f[0]), f[1].type), 2))
        raise rejected(title, rule(given, found) if rule else found) from None
    if rule is not None:
        found = rule(given, [])
        if found:
            raise rejected(title, found)
    return node


class Node(BaseModel):
    """An object of the document (``read_object``)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _read(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        return read_object(data, handler, cls.model_fields, cls.together, cls.__name__)

    #: The problems of the object's keys taken together, beside those pydantic ``found``
    #: (``given`` is the object as written, null members included).
    together: ClassVar[Rule | None] = None


# --- the event ----------------------------------------------------------------------------------


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise fault("bad_slug", value=value)
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise fault("bad_timezone", value=value) from None
    return value


class Window(Node):
    opens: Instant
    closes: Instant

    @field_validator("closes")
    @classmethod
    def _after_opening(cls, closes: datetime, info: ValidationInfo) -> datetime:
        opens = info.data.get("opens")
        if opens is not None and closes <= opens:
            raise fault("closes_before_opens")
        return closes


class Moment(Node):
    at: Instant


class EventSchedule(Node):
    """The event's planned windows, in ``StageKind`` order."""

    registration: Window | None = None
    review: Window | None = None
    scoring: Window | None = None
    appeal: Window | None = None
    public_notice: Window | None = None
    publish: Moment | None = None


class TradeSchedule(Node):
    """The windows a trade may plan for itself (``TRADE_OVERRIDABLE``)."""

    appeal: Window | None = None
    scoring: Window | None = None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _rank_range(pair: Any) -> tuple[int, int]:
    if not (
        isinstance(pair, list)
        and len(pair) == 2
        and all(_is_int(x) for x in pair)
        and 1 <= pair[0] <= pair[1]
    ):
        raise fault("bad_rank_range")
    return pair[0], pair[1]


def _field_row(row: Any) -> tuple[int | None, int]:
    if not (
        isinstance(row, list)
        and len(row) == 2
        and (row[0] is None or (_is_int(row[0]) and row[0] >= 1))
        and _is_int(row[1])
        and row[1] >= 0
    ):
        raise fault("bad_field_row")
    return row[0], row[1]


def _some(rows: list[tuple[int | None, int]]) -> list[tuple[int | None, int]]:
    if not rows:
        raise fault("not_list")
    return rows


def _one_way(given: dict[str, Any], found: list[Fault]) -> list[Fault]:
    ways = [key for key in WAYS if key in given]
    if len(ways) != 1:  # then only its unknown keys are worth saying too
        unknown = [f for f in found if f[1].type == "extra_forbidden"]
        return [*unknown, ((), fault("select_exactly_one"), given)]
    way = ways[0]
    if given[way] is None:
        code = {"ranks": "bad_rank_range", "top_by_field": "not_list"}.get(way, "required")
        found = [*found, ((way,), fault(code), None)]
    if "rounding" in given and way != "percent":  # not read, so not worth checking
        rounding = (("rounding",), fault("unknown_key", key="rounding"), given["rounding"])
        found = [rounding, *(f for f in found if f[0][:1] != ("rounding",))]
    if "of" in given and way != "percent":
        of = (("of",), fault("percent_only", key="of"), given["of"])
        found = [*(f for f in found if f[0][:1] != ("of",)), of]
    return found


def _true(value: Any) -> bool:
    if value is not True:
        raise fault("not_true")
    return value


class Select(Node):
    top: AtLeastOne | None = None
    ranks: Annotated[tuple[int, int], PlainValidator(_rank_range)] | None = None
    percent: Percent | None = None
    rounding: Annotated[Rounding, member(Rounding)] = Rounding.ROUND
    of: Annotated[Base, member(Base)] = Base.RANKED  # SCORING.md §7: whom a percent is of
    top_by_field: (
        Annotated[
            list[Annotated[tuple[int | None, int], PlainValidator(_field_row)]],
            AfterValidator(_some),
        ]
        | None
    ) = None
    manual: Annotated[bool, PlainValidator(_true)] | None = None  # the organisers name them

    together = _one_way


def _promotion(given: dict[str, Any], found: list[Fault]) -> list[Fault]:
    """``to`` goes without ``levels`` and is not above ``cap`` (SCORING.md §7)."""
    wrong = {f[0][0] for f in found if f[0]}
    to = given.get("to")
    if to is None or "to" in wrong:
        return found
    if given.get("levels") is not None:
        found = [*found, (("levels",), fault("levels_with_to"), given["levels"])]
    cap = given.get("cap")
    if cap is not None and "cap" not in wrong and (skill_rank(cap) or 0) < (skill_rank(to) or 0):
        found = [*found, (("cap",), fault("cap_below_to", to=to), cap)]
    return found


class Promote(Node):
    levels: Annotated[Whole, Field(ge=1, le=4)] = 1
    cap: Annotated[str, one_of(SKILL_LADDER)] = SKILL_LADDER[-1]
    to: Annotated[str, one_of(SKILL_LADDER)] | None = None  # SCORING.md §7: to that level

    together = _promotion


class AwardRule(Node):
    code: Code64
    title: Text
    select: Select
    min_total: NotNegative | None = None
    min_entrants: AtLeastOne | None = None
    max_age: Annotated[Whole, Field(ge=1, le=150)] | None = None
    trades: list[Code] | None = None
    group: Code64 | None = None
    promote: Promote | None = None
    # SCORING.md §7: pass lines on component scores, and the gender the rule is for
    min_components: Annotated[dict[str, NotNegative], Field(min_length=1)] | None = None
    gender: Annotated[str, one_of(GENDERS)] | None = None


class Event(Node):
    slug: Annotated[str, Strict(), text(64), AfterValidator(_slug)]
    name: Text
    starts_on: Day
    timezone: Annotated[str, Strict(), text(64), AfterValidator(_timezone)] = "Asia/Shanghai"
    decimals: Annotated[Whole, Field(ge=0, le=6)] = 2
    placement_points: list[Annotated[Whole, Field(ge=0)]] = []
    medals_by_field: Flag = False
    schedule: EventSchedule | None = None
    award_rules: list[AwardRule] = []


# --- units and trades ---------------------------------------------------------------------------


class Unit(Node):
    code: Code
    name: Text
    kind: Annotated[str, one_of(UNIT_KINDS)]


class Criterion(Node):
    code: Code
    name: Text
    kind: Annotated[CriterionKind, member(CriterionKind)] = CriterionKind.MEASUREMENT
    aggregation: Annotated[Aggregation, member(Aggregation)] = Aggregation.MEAN
    max: Positive
    scale: Positive | None = None
    step: Positive = Decimal("0.01")
    trim: Annotated[Whole, Field(ge=0, le=10)] = 1
    factor: Positive = Decimal(1)
    max_spread: NotNegative | None = None
    description: Annotated[str, Strict(), text(2000)] | None = None


def _direct_only(given: dict[str, Any], found: list[Fault]) -> list[Fault]:
    criteria = given.get("criteria")
    if isinstance(criteria, list) and criteria:
        for key in ("max", "step"):
            if key in given:
                found = [*found, ((key,), fault("direct_only", key=key), given[key])]
    return found


class Component(Node):
    code: Code
    name: Text
    weight: Positive
    max: Positive = Decimal(100)
    step: Positive = Decimal("0.01")
    criteria: list[Criterion] = []
    judges: list[Code] = []

    together = _direct_only


def _kinds(counts: dict[str, int]) -> dict[str, int]:
    for kind in counts:
        if not kind.strip() or len(kind) > KIND_LENGTH:
            raise fault("bad_penalty_kind", value=kind)
    return {kind.strip(): count for kind, count in counts.items()}


class Overtime(Node):
    """超时扣分 (SCORING.md §7): seconds over ``limit`` cost ``per_minute`` a started minute."""

    component: Code
    limit: NotNegative
    per_minute: NotNegative
    zero_after: NotNegative | None = None


class Trade(Node):
    code: Code
    name: Text
    category: Annotated[str, Strict(), text(50)] | None = None
    components: Annotated[list[Component], Field(min_length=1)]
    tie_breakers: list[Name] = []
    min_entrants: AtLeastOne | None = None
    team_size: AtLeastOne | None = None
    recusal: Annotated[Recusal, member(Recusal)] = Recusal.SAME_UNIT
    schedule: TradeSchedule | None = None
    # SCORING.md §7: how many penalties of a kind disqualify, overtime, team tie-breakers and
    # the fewest starters for a trade that awards anything
    disqualify_on: Annotated[dict[str, AtLeastOne], AfterValidator(_kinds)] = {}
    overtime: Overtime | None = None
    team_tie_breakers: list[Name] = []
    min_started: AtLeastOne | None = None


class Team(Node):
    code: Code
    unit: Code
    name: Text


# --- people -------------------------------------------------------------------------------------


class Entrant(Node):
    code: Code
    name: Name
    unit: Code
    trade: Code
    team: Code | None = None
    gender: Annotated[str, one_of(("M", "F"))] | None = None
    birth_date: Day | None = None
    skill_level: Annotated[str, Strict(), text(20)] | None = None
    id_number: Annotated[str, Strict(), text(40)] | None = None

    @model_validator(mode="after")
    def _id_number(self) -> Self:
        """A resident ID number is valid and agrees with the birth date and gender given."""
        if self.id_number is None:
            return self
        try:
            parsed = idcard.parse(self.id_number)
        except idcard.IdNumberError as error:
            raise self._wrong(fault("bad_id_number", reason=error.code)) from None
        if self.birth_date is not None and parsed.birth_date != self.birth_date:
            raise self._wrong(fault("id_birth_mismatch", birth_date=self.birth_date.isoformat()))
        if self.gender is not None and parsed.gender != self.gender:
            raise self._wrong(fault("id_gender_mismatch", gender=self.gender))
        self.id_number = parsed.number
        return self

    def _wrong(self, error: PydanticCustomError) -> ValidationError:
        return rejected(type(self).__name__, [(("id_number",), error, self.id_number)])


class Judge(Node):
    code: Code
    name: Name
    unit: Code | None = None
    trades: list[Code]
    chief: Flag = False


# --- what was entered for the entrants ----------------------------------------------------------


def _score_target(given: dict[str, Any], found: list[Fault]) -> list[Fault]:
    if found:  # a member that is wrong names nothing
        wrong = {f[0][0] for f in found if f[0]}
        given = {k: v for k, v in given.items() if k not in wrong}
    criterion, judge, component, item = (given.get(k) is not None for k in TARGETS)
    if (
        (criterion and judge and not (component or item))
        or (item and judge and not (component or criterion))
        or (component and not (criterion or judge or item))
    ):
        return found
    return [*found, ((), fault("score_target"), given)]


@with_config(ConfigDict(extra="forbid"))
class ScoreRow(TypedDict):
    """A score. An event has hundreds of thousands: a plain dict is much cheaper to make
    than a model, so scores are read as ``Score`` (this, null members and the target
    checked as ``Node`` checks them)."""

    entrant: Code
    value: Number
    criterion: NotRequired[Code]
    judge: NotRequired[Code]
    component: NotRequired[Code]
    item: NotRequired[Code]  # EXAMS.md §5: a short item of the entrant's exam paper


def _score(data: Any, handler: Callable[[Any], ScoreRow]) -> ScoreRow:
    return read_object(data, handler, ScoreRow.__annotations__, _score_target, "Score")


Score = Annotated[ScoreRow, WrapValidator(_score)]


class Factor(Node):
    entrant: Code
    criterion: Code
    factor: Positive


class Excusal(Node):
    entrant: Code
    judge: Code
    reason: Annotated[str, Strict(), text(500)]


class Time(Node):
    entrant: Code
    seconds: NotNegative


class Status(Node):
    entrant: Code
    status: Annotated[DeclaredStatus, member(DeclaredStatus)]


def _penalty_target(given: dict[str, Any], found: list[Fault]) -> list[Fault]:
    wrong = {f[0][0] for f in found if f[0]}  # a member that is wrong names nothing
    named = [k for k in ("criterion", "component") if k not in wrong and given.get(k) is not None]
    if len(named) == 1 or (not named and wrong & {"criterion", "component"}):
        return found
    return [*found, ((), fault("penalty_target"), given)]


class Penalty(Node):
    """Points off a criterion or component (SCORING.md §7)."""

    entrant: Code
    criterion: Code | None = None
    component: Code | None = None
    points: NotNegative
    kind: Kind
    reason: Reason

    together = _penalty_target


class Ineligible(Node):
    """An organiser's decision that an entrant does not meet a rule's conditions."""

    entrant: Code
    rule: Code64
    reason: Reason | None = None


class ManualAward(Node):
    """An entrant a manual rule (``select: {"manual": true}``) names."""

    rule: Code64
    entrant: Code


# --- theory exams (EXAMS.md §5) -------------------------------------------------------------------

Tag = Annotated[str, Strict(), text(32)]
Long = Annotated[str, Strict(), text(5000)]


def _label_list(key: Any) -> bool:
    return (
        isinstance(key, list)
        and all(isinstance(label, str) for label in key)
        and len(set(key)) == len(key)
    )


def _fill_key(key: Any) -> bool:
    """A list of blanks, each a non-empty list of accepted answers (non-empty text)."""
    return (
        isinstance(key, list)
        and bool(key)
        and all(
            isinstance(blank, list)
            and bool(blank)
            and all(isinstance(a, str) and a.strip() for a in blank)
            for blank in key
        )
    )


def _item_options(kind: ItemType, given: dict[str, Any], found: list[Fault]) -> list[Fault]:
    """Options labelled A, B, C … in order, 2–8 of them, only on single and multiple items."""
    options = given.get("options")
    if not kind.has_options:
        if options is not None:
            found.append((("options",), fault("no_options", type=kind.value), options))
        return found
    if options is None:
        found.append((("options",), fault("required"), None))
    elif isinstance(options, dict):
        if not 2 <= len(options) <= len(LABELS):
            found.append((("options",), fault("options_count", n=len(options)), options))
        elif list(options) != list(LABELS[: len(options)]):
            labels = ", ".join(str(label) for label in options)
            found.append((("options",), fault("options_labels", labels=labels), options))
    return found


def _item_key(kind: ItemType, given: dict[str, Any], labels: list[str] | None) -> list[Fault]:
    """The key suits the item's type (EXAMS.md §1); ``labels`` are its options if sound."""
    key = given.get("key")
    if key is None:
        return [] if kind == ItemType.SHORT else [(("key",), fault("required"), None)]
    shown = ", ".join(labels or ())
    if kind == ItemType.SINGLE:
        if not isinstance(key, str):
            return [(("key",), fault("not_label"), key)]
        if labels is not None and key not in labels:
            return [(("key",), fault("key_not_option", value=key, labels=shown), key)]
    elif kind == ItemType.MULTIPLE:
        if not _label_list(key):
            return [(("key",), fault("not_label_list"), key)]
        wrong: list[Fault] = [
            (("key", i), fault("key_not_option", value=label, labels=shown), label)
            for i, label in enumerate(key)
            if labels is not None and label not in labels
        ]
        if wrong:
            return wrong
        if len(key) < 2:
            return [(("key",), fault("multiple_key_short"), key)]
    elif kind == ItemType.JUDGE:
        if not isinstance(key, bool):
            return [(("key",), fault("not_boolean"), key)]
    elif kind == ItemType.FILL:
        if not _fill_key(key):
            return [(("key",), fault("bad_fill_key"), key)]
    elif not isinstance(key, str) or not key.strip():
        return [(("key",), fault("not_text"), key)]
    return []


def _question(given: dict[str, Any], found: list[Fault]) -> list[Fault]:
    wrong = {f[0][0] for f in found if f[0]}
    if "type" in wrong or given.get("type") is None:
        return found
    kind = ItemType(given["type"])
    before = len(found)
    found = _item_options(kind, given, list(found))
    options = given.get("options")
    sound = len(found) == before and "options" not in wrong and isinstance(options, dict)
    labels = list(options) if sound and kind.has_options and options is not None else None
    return [*found, *_item_key(kind, given, labels)]


class QuestionItem(Node):
    """An item of the question bank (EXAMS.md §1)."""

    code: Code
    type: Annotated[ItemType, member(ItemType)]
    stem: Long
    options: dict[str, Annotated[str, Strict(), text(1000)]] | None = None
    key: Any = None  # as the type says (``_item_key``)
    marks: Positive = Decimal(1)
    tags: list[Tag] = []
    level: Annotated[str, one_of(SKILL_LADDER)] | None = None
    difficulty: Annotated[Whole, Field(ge=1, le=5)] | None = None
    explanation: Long | None = None

    together = _question


def _levels(value: Any) -> tuple[str, ...]:
    levels = [value] if isinstance(value, str) else value
    if not isinstance(levels, list) or not levels:
        raise fault("not_choice", value=str(value), choices=", ".join(SKILL_LADDER))
    for level in levels:
        if level not in SKILL_LADDER:
            raise fault("not_choice", value=str(level), choices=", ".join(SKILL_LADDER))
    return tuple(levels)


def _difficulty_range(pair: Any) -> tuple[int, int]:
    if not (
        isinstance(pair, list)
        and len(pair) == 2
        and all(_is_int(x) for x in pair)
        and 1 <= pair[0] <= pair[1] <= 5
    ):
        raise fault("bad_difficulty_range")
    return pair[0], pair[1]


class ItemFilter(Node):
    """Which items a section draws: tags by prefix, levels exactly, a difficulty range."""

    tags: list[Tag] = []
    level: Annotated[tuple[str, ...], PlainValidator(_levels)] | None = None
    difficulty: Annotated[tuple[int, int], PlainValidator(_difficulty_range)] | None = None


#: The keys of a section that apply to one type of item only.
SECTION_KEYS = {
    "partial": ItemType.MULTIPLE,
    "step": ItemType.SHORT,
    "aggregation": ItemType.SHORT,
    "trim": ItemType.SHORT,
}


def _section_keys(given: dict[str, Any], found: list[Fault]) -> list[Fault]:
    kind = given.get("type")
    if kind not in tuple(ItemType) or any(f[0][:1] == ("type",) for f in found):
        return found
    for key, only in SECTION_KEYS.items():
        if given.get(key) is not None and kind != only:
            found = [*(f for f in found if f[0][:1] != (key,))]
            found.append(((key,), fault("section_key", key=key, type=only.value), given[key]))
    return found


def _share(number: Decimal) -> Decimal:
    if number > 1:
        raise fault("too_large", value=str(number), max="1")
    return number


class ExamSection(Node):
    """A section of the blueprint (EXAMS.md §2)."""

    type: Annotated[ItemType, member(ItemType)]
    count: AtLeastOne
    marks: Positive
    filter: ItemFilter | None = None
    partial: Annotated[Positive, AfterValidator(_share)] | None = None  # multiple (少选得分)
    step: Positive | None = None  # short: 0.5 unless given
    aggregation: Annotated[Aggregation, member(Aggregation)] | None = None  # short
    trim: Annotated[Whole, Field(ge=0, le=10)] | None = None  # short

    together = _section_keys


class Exam(Node):
    """A trade's theory exam feeding one of its components (EXAMS.md §2, §5)."""

    trade: Code
    component: Code
    minutes: AtLeastOne
    seed: Annotated[str, Strict(), text(100)]
    papers: Annotated[Whole, Field(ge=1, le=26)] = 1
    sections: Annotated[list[ExamSection], Field(min_length=1)]
    voided: list[Code] = []


@with_config(ConfigDict(extra="forbid"))
class AnswerRow(TypedDict):
    """An entrant's response to an item (null: left blank). Read as ``Answer``, a plain dict
    as scores are: a mass knowledge contest has millions."""

    entrant: Code
    item: Code
    response: NotRequired[Any]


def _answer(data: Any, handler: Callable[[Any], AnswerRow]) -> AnswerRow:
    return read_object(data, handler, AnswerRow.__annotations__, None, "Answer")


Answer = Annotated[AnswerRow, WrapValidator(_answer)]


class Document(Node):
    """A whole ``contest-package/1`` document."""

    format: Any  # PACKAGE_FORMAT: the reader says so of any other
    event: Event
    units: list[Unit] = []
    trades: list[Trade] = []
    teams: list[Team] = []
    entrants: list[Entrant] = []
    judges: list[Judge] = []
    scores: list[Score] = []
    factors: list[Factor] = []
    excusals: list[Excusal] = []
    times: list[Time] = []
    statuses: list[Status] = []
    penalties: list[Penalty] = []
    ineligible: list[Ineligible] = []
    manual_awards: list[ManualAward] = []
    # EXAMS.md §5
    question_bank: list[QuestionItem] = []
    exams: list[Exam] = []
    answers: list[Answer] = []
