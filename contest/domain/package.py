"""The ``contest-package/1`` document (PACKAGE.md): strict reading and validation.

``read_package`` turns a parsed JSON document (numbers parsed as ``Decimal``) into a
``Package`` or a list of every ``Problem`` found, each with its path in the document
(``trades[0].components[1].criteria[0].max``) and a code the application words in the
user's language. Scores are checked exactly as if entered in the app: range, step,
recusal, excusal and panel membership.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contest.domain import idcard
from contest.domain.awards import AwardRule, Promotion, Rounding, Selection
from contest.domain.refusal import N_, Problem, Refused
from contest.domain.results import EventSpec, compute_trade, results_document
from contest.domain.scoring import (
    Aggregation,
    ComponentSpec,
    CriterionKind,
    CriterionSpec,
    DeclaredStatus,
    EntrantInput,
    EntryError,
    JudgeRef,
    Recusal,
    TradeSpec,
    check_judge_value,
    check_value,
)
from contest.domain.skills import SKILL_LADDER
from contest.domain.stages import TRADE_OVERRIDABLE, StageKind

PACKAGE_FORMAT = "contest-package/1"
SLUG = re.compile(r"^[a-z0-9-]{3,64}$")
CODE_LENGTH = 32
UNIT_KINDS = ("district", "industry", "enterprise", "other")
T = TypeVar("T")


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

    def __init__(self, problems: list[Problem]):
        super().__init__("invalid", problems=problems, n=len(problems))


# --- the package as data -----------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A planned window; ``closes`` is None for publication (a single instant)."""

    opens: datetime
    closes: datetime | None = None


@dataclass(frozen=True)
class CriterionData:
    spec: CriterionSpec
    name: str
    description: str | None = None


@dataclass(frozen=True)
class ComponentData:
    code: str
    name: str
    weight: Decimal
    max: Decimal
    step: Decimal
    criteria: tuple[CriterionData, ...]
    judges: tuple[str, ...]


@dataclass(frozen=True)
class TradeData:
    code: str
    name: str
    category: str | None
    components: tuple[ComponentData, ...]
    tie_breakers: tuple[str, ...]
    min_entrants: int | None
    team_size: int | None
    recusal: Recusal
    schedule: Mapping[str, Window]


@dataclass(frozen=True)
class EventData:
    slug: str
    name: str
    starts_on: date
    timezone: str
    decimals: int
    placement_points: tuple[int, ...]
    medals_by_field: bool
    schedule: Mapping[str, Window]
    award_rules: tuple[AwardRule, ...]


@dataclass(frozen=True)
class UnitData:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class TeamData:
    code: str
    unit: str
    name: str


@dataclass(frozen=True)
class EntrantData:
    code: str
    name: str
    unit: str
    trade: str
    team: str | None = None
    gender: str | None = None
    birth_date: date | None = None
    id_number: str | None = None
    skill_level: str | None = None


@dataclass(frozen=True)
class JudgeData:
    code: str
    name: str
    unit: str | None
    trades: tuple[str, ...]
    chief: bool = False


@dataclass(frozen=True)
class ScoreData:
    entrant: str
    value: Decimal
    criterion: str | None = None
    judge: str | None = None
    component: str | None = None


@dataclass(frozen=True)
class Package:
    """A whole event as the package describes it."""

    event: EventData
    units: tuple[UnitData, ...]
    trades: tuple[TradeData, ...]
    teams: tuple[TeamData, ...]
    entrants: tuple[EntrantData, ...]
    judges: tuple[JudgeData, ...]
    scores: tuple[ScoreData, ...]
    factors: tuple[tuple[str, str, Decimal], ...]  # (entrant, criterion, factor)
    excusals: tuple[tuple[str, str, str], ...]  # (entrant, judge, reason)
    times: tuple[tuple[str, Decimal], ...]  # (entrant, seconds)
    statuses: tuple[tuple[str, DeclaredStatus], ...]  # (entrant, status)
    warnings: tuple[Problem, ...] = ()

    def event_spec(self) -> EventSpec:
        """The event-wide settings the results depend on."""
        event = self.event
        return EventSpec(
            slug=event.slug,
            starts_on=event.starts_on,
            decimals=event.decimals,
            placement_points=event.placement_points,
            medals_by_field=event.medals_by_field,
            award_rules=event.award_rules,
            units=tuple(u.code for u in self.units),
        )

    def results(self) -> dict[str, Any]:
        """The ``contest-results/1`` document for this package."""
        trades = [
            compute_trade(self.event_spec(), self.trade_spec(t), self.entrant_inputs(t.code))
            for t in self.trades
        ]
        return results_document(self.event_spec(), trades)

    def trade_spec(self, trade: TradeData) -> TradeSpec:
        """The marking scheme and panel of one trade, for the scoring engine."""
        return trade_spec(trade, [j for j in self.judges if trade.code in j.trades])

    def entrant_inputs(self, trade: str) -> list[EntrantInput]:
        """Everything entered for the entrants of one trade, for the scoring engine."""
        return self._inputs_by_trade.get(trade, [])

    @cached_property
    def _inputs_by_trade(self) -> dict[str, list[EntrantInput]]:
        """Every entrant's input, grouped by trade in one pass over the package."""
        values: dict[str, dict[tuple[str, str], Decimal]] = defaultdict(dict)
        direct: dict[str, dict[str, Decimal]] = defaultdict(dict)
        for score in self.scores:
            if score.component is not None:
                direct[score.entrant][score.component] = score.value
            elif score.criterion is not None and score.judge is not None:
                values[score.entrant][(score.criterion, score.judge)] = score.value
        factors: dict[str, dict[str, Decimal]] = defaultdict(dict)
        for entrant, criterion, factor in self.factors:
            factors[entrant][criterion] = factor
        excused: dict[str, set[str]] = defaultdict(set)
        for entrant, judge, _ in self.excusals:
            excused[entrant].add(judge)
        times, statuses = dict(self.times), dict(self.statuses)
        grouped: dict[str, list[EntrantInput]] = defaultdict(list)
        for e in self.entrants:
            grouped[e.trade].append(
                EntrantInput(
                    code=e.code,
                    unit=e.unit,
                    team=e.team,
                    status=statuses.get(e.code),
                    time=times.get(e.code),
                    values=values[e.code],
                    direct=direct[e.code],
                    factors=factors[e.code],
                    excused=frozenset(excused[e.code]),
                    birth_date=e.birth_date,
                    skill_level=e.skill_level,
                )
            )
        return grouped


def trade_spec(trade: TradeData, judges: Iterable[JudgeData]) -> TradeSpec:
    """The scoring engine's view of a trade."""
    return TradeSpec(
        code=trade.code,
        components=tuple(
            ComponentSpec(
                code=c.code,
                weight=c.weight,
                max=c.max,
                step=c.step,
                criteria=tuple(k.spec for k in c.criteria),
                judges=c.judges,
            )
            for c in trade.components
        ),
        judges=tuple(JudgeRef(j.code, j.unit) for j in judges),
        tie_breakers=trade.tie_breakers,
        min_entrants=trade.min_entrants,
        team_size=trade.team_size,
        recusal=trade.recusal,
    )


# --- reading -----------------------------------------------------------------------------------


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def at(node: Mapping[str, Any], key: str, path: str) -> tuple[Any, str]:
    """A member's value and its path, for the reader's typed checks."""
    return node.get(key), _join(path, key)


def _to_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def _sound(rows: Iterable[T | None]) -> tuple[T, ...]:
    """The rows of a section already known to be sound (no None left)."""
    return tuple(row for row in rows if row is not None)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Reader:
    """Walks the document and collects problems with their paths.

    The typed readers return the value (or ``default`` when absent) and None after recording
    a problem; a section compares ``mark()`` before and after to know whether it is sound.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def problem(self, path: str, code: str, /, **params: Any) -> None:
        self.problems.append(Problem(path, code, params))

    def mark(self) -> int:
        return len(self.problems)

    def failed(self, mark: int) -> bool:
        return len(self.problems) > mark

    def obj(self, node: Any, path: str, required: Iterable[str], optional: Iterable[str]) -> bool:
        """Check that ``node`` is an object with the required keys and no unknown ones."""
        if not isinstance(node, dict):
            self.problem(path or "(document)", "not_object")
            return False
        allowed = set(required) | set(optional)
        for key in node:
            if key not in allowed:
                self.problem(_join(path, str(key)), "unknown_key", key=str(key))
        for key in required:
            if node.get(key) is None:
                self.problem(_join(path, key), "required")
        return True

    def items(self, node: Mapping[str, Any], key: str, path: str) -> list[tuple[str, Any]]:
        """The elements of a list member, each with its path."""
        value, where = at(node, key, path)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(where, "not_list")
            return []
        return [(f"{where}[{i}]", item) for i, item in enumerate(value)]

    def text(self, value: Any, where: str, max_length: int = 200, default: Any = None) -> Any:
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            self.problem(where, "not_text")
        elif len(value) > max_length:
            self.problem(where, "too_long", max=max_length)
        else:
            return value.strip()
        return None

    def code(self, value: Any, where: str, max_length: int = CODE_LENGTH) -> Any:
        return self.text(value, where, max_length)

    def decimal(
        self,
        value: Any,
        where: str,
        default: Any = None,
        minimum: Any = None,
        positive: bool = False,
    ) -> Any:
        if value is None:
            return default
        number = _to_decimal(value)
        if number is None:
            self.problem(where, "not_number", value=str(value))
        elif positive and number <= 0:
            self.problem(where, "not_positive", value=str(number))
        elif minimum is not None and number < minimum:
            self.problem(where, "too_small", value=str(number), min=str(minimum))
        else:
            return number
        return None

    def integer(
        self, value: Any, where: str, default: Any = None, minimum: Any = None, maximum: Any = None
    ) -> Any:
        if value is None:
            return default
        number = None if isinstance(value, str) else _to_decimal(value)
        if number is None or number != number.to_integral_value():
            self.problem(where, "not_integer", value=str(value))
        elif minimum is not None and number < minimum:
            self.problem(where, "too_small", value=int(number), min=minimum)
        elif maximum is not None and number > maximum:
            self.problem(where, "too_large", value=int(number), max=maximum)
        else:
            return int(number)
        return None

    def boolean(self, value: Any, where: str) -> Any:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem(where, "not_boolean")
            return None
        return value

    def choice(self, value: Any, where: str, choices: Iterable[str], default: Any = None) -> Any:
        if value is None:
            return default
        options = tuple(choices)
        if value not in options:
            self.problem(where, "not_choice", value=str(value), choices=", ".join(options))
            return None
        return value

    def day(self, value: Any, where: str) -> Any:
        if value is None:
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            self.problem(where, "not_date", value=str(value))
            return None

    def instant(self, value: Any, where: str) -> Any:
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            self.problem(where, "not_datetime", value=str(value))
        elif moment.tzinfo is None:
            self.problem(where, "no_offset", value=str(value))
        else:
            return moment
        return None

    def codes(self, node: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
        """A list of codes."""
        return tuple(self.code(n, p) for p, n in self.items(node, key, path))

    def unique(self, section: str, codes: Iterable[str | None], what: str = "code") -> None:
        """Report a code used twice within one list, at its second use."""
        seen: set[str] = set()
        for i, code in enumerate(codes):
            if code is not None and code in seen:
                self.problem(f"{section}[{i}].{what}", "duplicate", code=code)
            if code is not None:
                seen.add(code)


def read_package(document: Any) -> Package:
    """Validate a parsed ``contest-package/1`` document.

    Raises ``PackageError`` listing every problem found; returns the package (with its
    non-fatal ``warnings``) when there is none.
    """
    reader = _Reader()
    sections = ("units", "trades", "teams", "entrants", "judges", "scores")
    optional = ("factors", "excusals", "times", "statuses")
    if not reader.obj(document, "", ("format", "event"), (*sections, *optional)):
        raise PackageError(reader.problems)
    if document.get("format") not in (None, PACKAGE_FORMAT):
        reader.problem("format", "bad_format_name", expected=PACKAGE_FORMAT)
    package = _Sections(reader).read(document)
    if package is not None:
        _References(reader, package).check()
    if reader.problems or package is None:
        raise PackageError(reader.problems)
    return replace(package, warnings=tuple(reader.warnings))


class _Sections:
    """Reads each part of the document into data, recording every problem on the way."""

    def __init__(self, reader: _Reader):
        self.r = reader

    def read(self, doc: Mapping[str, Any]) -> Package | None:
        mark = self.r.mark()
        r = self.r
        event = self.event(doc.get("event"))
        units = [self.unit(p, n) for p, n in r.items(doc, "units", "")]
        trades = [self.trade(p, n) for p, n in r.items(doc, "trades", "")]
        teams = [self.team(p, n) for p, n in r.items(doc, "teams", "")]
        entrants = [self.entrant(p, n) for p, n in r.items(doc, "entrants", "")]
        judges = [self.judge(p, n) for p, n in r.items(doc, "judges", "")]
        scores = [self.score(p, n) for p, n in r.items(doc, "scores", "")]
        factors = [self.factor(p, n) for p, n in r.items(doc, "factors", "")]
        excusals = [self.excusal(p, n) for p, n in r.items(doc, "excusals", "")]
        times = [self.time(p, n) for p, n in r.items(doc, "times", "")]
        statuses = [self.status(p, n) for p, n in r.items(doc, "statuses", "")]
        for section, rows in (
            ("units", units),
            ("trades", trades),
            ("teams", teams),
            ("entrants", entrants),
            ("judges", judges),
        ):
            r.unique(section, (row.code if row else None for row in rows))
        if r.failed(mark) or event is None:
            return None  # cross-references of a broken document would only add noise
        return Package(
            event,
            _sound(units),
            _sound(trades),
            _sound(teams),
            _sound(entrants),
            _sound(judges),
            _sound(scores),
            _sound(factors),
            _sound(excusals),
            _sound(times),
            _sound(statuses),
        )

    def event(self, node: Any) -> EventData | None:
        r, path, mark = self.r, "event", self.r.mark()
        optional = (
            "timezone",
            "decimals",
            "placement_points",
            "medals_by_field",
            "schedule",
            "award_rules",
        )
        if not r.obj(node, path, ("slug", "name", "starts_on"), optional):
            return None
        slug = r.code(*at(node, "slug", path), max_length=64)
        if slug is not None and not SLUG.match(slug):
            r.problem(f"{path}.slug", "bad_slug", value=slug)
        name = r.text(*at(node, "name", path))
        starts_on = r.day(*at(node, "starts_on", path))
        timezone = r.text(*at(node, "timezone", path), max_length=64, default="Asia/Shanghai")
        if timezone is not None and not _known_timezone(timezone):
            r.problem(f"{path}.timezone", "bad_timezone", value=timezone)
        decimals = r.integer(*at(node, "decimals", path), default=2, minimum=0, maximum=6)
        points = [r.integer(n, p, minimum=0) for p, n in r.items(node, "placement_points", path)]
        medals = r.boolean(*at(node, "medals_by_field", path))
        schedule = self.schedule(node, path, [k.value for k in StageKind])
        rules = [self.award_rule(p, n) for p, n in r.items(node, "award_rules", path)]
        r.unique(f"{path}.award_rules", (rule.code if rule else None for rule in rules))
        if r.failed(mark):
            return None
        return EventData(
            slug,
            name,
            starts_on,
            timezone,
            decimals,
            tuple(points),
            medals,
            schedule,
            _sound(rules),
        )

    def schedule(self, node: Mapping[str, Any], path: str, kinds: list[str]) -> dict[str, Window]:
        value, where = at(node, "schedule", path)
        if value is None or not self.r.obj(value, where, (), kinds):
            return {}
        windows = {}
        for kind in kinds:
            window, wpath = at(value, kind, where)
            if window is None:
                continue
            if kind == StageKind.PUBLISH.value:
                if self.r.obj(window, wpath, ("at",), ()):
                    moment = self.r.instant(*at(window, "at", wpath))
                    if moment is not None:
                        windows[kind] = Window(moment)
                continue
            if not self.r.obj(window, wpath, ("opens", "closes"), ()):
                continue
            opens = self.r.instant(*at(window, "opens", wpath))
            closes = self.r.instant(*at(window, "closes", wpath))
            if opens is not None and closes is not None:
                if closes <= opens:
                    self.r.problem(f"{wpath}.closes", "closes_before_opens")
                else:
                    windows[kind] = Window(opens, closes)
        return windows

    def award_rule(self, path: str, node: Any) -> AwardRule | None:
        r, mark = self.r, self.r.mark()
        optional = ("min_total", "min_entrants", "max_age", "trades", "group", "promote")
        if not r.obj(node, path, ("code", "title", "select"), optional):
            return None
        code = r.code(*at(node, "code", path), max_length=64)
        title = r.text(*at(node, "title", path))
        select = self.selection(*at(node, "select", path))
        min_total = r.decimal(*at(node, "min_total", path), minimum=Decimal(0))
        min_entrants = r.integer(*at(node, "min_entrants", path), minimum=1)
        max_age = r.integer(*at(node, "max_age", path), minimum=1, maximum=150)
        trades = frozenset(r.codes(node, "trades", path)) if "trades" in node else None
        group = r.code(*at(node, "group", path), max_length=64)
        promote = None
        promote_node, where = at(node, "promote", path)
        if promote_node is not None and r.obj(promote_node, where, (), ("levels", "cap")):
            levels = r.integer(*at(promote_node, "levels", where), default=1, minimum=1, maximum=4)
            cap = r.choice(*at(promote_node, "cap", where), SKILL_LADDER, default=SKILL_LADDER[-1])
            promote = Promotion(levels, cap)
        if r.failed(mark) or select is None:
            return None
        return AwardRule(
            code, title, select, min_total, min_entrants, max_age, trades, group, promote
        )

    def selection(self, node: Any, path: str) -> Selection | None:
        r, mark = self.r, self.r.mark()
        if not r.obj(node, path, (), ("top", "ranks", "percent", "rounding", "top_by_field")):
            return None
        ways = [k for k in ("top", "ranks", "percent", "top_by_field") if k in node]
        if len(ways) != 1:
            r.problem(path, "select_exactly_one")
            return None
        if "rounding" in node and ways != ["percent"]:
            r.problem(f"{path}.rounding", "unknown_key", key="rounding")
        way = ways[0]
        selection = None
        if way == "top":
            selection = Selection(top=r.integer(*at(node, "top", path), minimum=1))
        elif way == "ranks":
            pair = node["ranks"]
            if not (
                isinstance(pair, list)
                and len(pair) == 2
                and all(_is_int(x) for x in pair)
                and 1 <= pair[0] <= pair[1]
            ):
                r.problem(f"{path}.ranks", "bad_rank_range")
            else:
                selection = Selection(ranks=(pair[0], pair[1]))
        elif way == "percent":
            percent = r.decimal(*at(node, "percent", path), positive=True)
            if percent is not None and percent > 100:
                r.problem(f"{path}.percent", "too_large", value=str(percent), max=100)
            rounding = r.choice(*at(node, "rounding", path), [x.value for x in Rounding], "round")
            selection = Selection(percent=percent, rounding=Rounding(rounding or "round"))
        else:
            rows = node["top_by_field"]
            if not isinstance(rows, list) or not rows:
                r.problem(f"{path}.top_by_field", "not_list")
                return None
            for i, row in enumerate(rows):
                if not (
                    isinstance(row, list)
                    and len(row) == 2
                    and (row[0] is None or (_is_int(row[0]) and row[0] >= 1))
                    and _is_int(row[1])
                    and row[1] >= 0
                ):
                    r.problem(f"{path}.top_by_field[{i}]", "bad_field_row")
            selection = Selection(top_by_field=tuple((row[0], row[1]) for row in rows))
        return None if r.failed(mark) else selection

    def unit(self, path: str, node: Any) -> UnitData | None:
        r, mark = self.r, self.r.mark()
        if not r.obj(node, path, ("code", "name", "kind"), ()):
            return None
        code, name = r.code(*at(node, "code", path)), r.text(*at(node, "name", path))
        kind = r.choice(*at(node, "kind", path), UNIT_KINDS)
        return None if r.failed(mark) else UnitData(code, name, kind)

    def trade(self, path: str, node: Any) -> TradeData | None:
        r, mark = self.r, self.r.mark()
        optional = ("category", "tie_breakers", "min_entrants", "team_size", "recusal", "schedule")
        if not r.obj(node, path, ("code", "name", "components"), optional):
            return None
        code, name = r.code(*at(node, "code", path)), r.text(*at(node, "name", path))
        category = r.text(*at(node, "category", path), max_length=50)
        components = [self.component(p, n) for p, n in r.items(node, "components", path)]
        if node.get("components") == []:
            r.problem(f"{path}.components", "empty")
        r.unique(f"{path}.components", (c.code if c else None for c in components))
        for i, component in enumerate(components):
            if component is not None:
                where = f"{path}.components[{i}].criteria"
                r.unique(where, (k.spec.code for k in component.criteria))
        all_criteria = [k.spec.code for c in components if c for k in c.criteria]
        if len(set(all_criteria)) != len(all_criteria):
            r.problem(f"{path}.components", "duplicate_criterion")
        breakers = [(p, r.text(n, p, 100)) for p, n in r.items(node, "tie_breakers", path)]
        min_entrants = r.integer(*at(node, "min_entrants", path), minimum=1)
        team_size = r.integer(*at(node, "team_size", path), minimum=1)
        recusal = r.choice(*at(node, "recusal", path), [x.value for x in Recusal], "same_unit")
        schedule = self.schedule(node, path, sorted(k.value for k in TRADE_OVERRIDABLE))
        if r.failed(mark):
            return None
        for p, breaker in breakers:
            kind, _, ref = breaker.partition(":")
            known = (
                (kind == "time" and not ref)
                or (kind == "component" and any(c.code == ref for c in components if c))
                or (kind == "criterion" and ref in all_criteria)
            )
            if not known:
                r.problem(p, "bad_tie_breaker", value=breaker)
        weights = sum((c.weight for c in components if c), Decimal(0))
        if weights != 1:
            r.warnings.append(
                Problem(f"{path}.components", "weights_not_one", {"sum": str(weights)})
            )
        return TradeData(
            code,
            name,
            category,
            _sound(components),
            tuple(b for _, b in breakers),
            min_entrants,
            team_size,
            Recusal(recusal),
            schedule,
        )

    def component(self, path: str, node: Any) -> ComponentData | None:
        r, mark = self.r, self.r.mark()
        optional = ("max", "step", "criteria", "judges")
        if not r.obj(node, path, ("code", "name", "weight"), optional):
            return None
        code, name = r.code(*at(node, "code", path)), r.text(*at(node, "name", path))
        weight = r.decimal(*at(node, "weight", path), positive=True)
        maximum = r.decimal(*at(node, "max", path), default=Decimal(100), positive=True)
        step = r.decimal(*at(node, "step", path), default=Decimal("0.01"), positive=True)
        criteria = [self.criterion(p, n) for p, n in r.items(node, "criteria", path)]
        for key in ("max", "step"):
            if criteria and key in node:
                r.problem(f"{path}.{key}", "direct_only", key=key)
        judges = r.codes(node, "judges", path)
        if r.failed(mark):
            return None
        return ComponentData(code, name, weight, maximum, step, _sound(criteria), judges)

    def criterion(self, path: str, node: Any) -> CriterionData | None:
        r, mark = self.r, self.r.mark()
        optional = (
            "kind",
            "scale",
            "step",
            "aggregation",
            "trim",
            "factor",
            "max_spread",
            "description",
        )
        if not r.obj(node, path, ("code", "name", "max"), optional):
            return None
        code, name = r.code(*at(node, "code", path)), r.text(*at(node, "name", path))
        kinds, rules = [k.value for k in CriterionKind], [a.value for a in Aggregation]
        kind = r.choice(*at(node, "kind", path), kinds, "measurement") or "measurement"
        aggregation = r.choice(*at(node, "aggregation", path), rules, "mean") or "mean"
        spec = CriterionSpec(
            code=code,
            max=r.decimal(*at(node, "max", path), positive=True),
            kind=CriterionKind(kind),
            scale=r.decimal(*at(node, "scale", path), positive=True),
            step=r.decimal(*at(node, "step", path), default=Decimal("0.01"), positive=True),
            aggregation=Aggregation(aggregation),
            trim=r.integer(*at(node, "trim", path), default=1, minimum=0, maximum=10),
            factor=r.decimal(*at(node, "factor", path), default=Decimal(1), positive=True),
            max_spread=r.decimal(*at(node, "max_spread", path), minimum=Decimal(0)),
        )
        description = r.text(*at(node, "description", path), max_length=2000)
        return None if r.failed(mark) else CriterionData(spec, name, description)

    def team(self, path: str, node: Any) -> TeamData | None:
        r, mark = self.r, self.r.mark()
        if not r.obj(node, path, ("code", "unit", "name"), ()):
            return None
        code, unit = r.code(*at(node, "code", path)), r.code(*at(node, "unit", path))
        name = r.text(*at(node, "name", path))
        return None if r.failed(mark) else TeamData(code, unit, name)

    def entrant(self, path: str, node: Any) -> EntrantData | None:
        r, mark = self.r, self.r.mark()
        optional = ("team", "gender", "birth_date", "id_number", "skill_level")
        if not r.obj(node, path, ("code", "name", "unit", "trade"), optional):
            return None
        code, name = r.code(*at(node, "code", path)), r.text(*at(node, "name", path), 100)
        unit, trade = r.code(*at(node, "unit", path)), r.code(*at(node, "trade", path))
        team = r.code(*at(node, "team", path))
        gender = r.choice(*at(node, "gender", path), ("M", "F"))
        birth = r.day(*at(node, "birth_date", path))
        level = r.text(*at(node, "skill_level", path), 20)
        number = r.text(*at(node, "id_number", path), 40)
        if number is not None and not r.failed(mark):
            number = self.id_number(f"{path}.id_number", number, birth, gender)
        if r.failed(mark):
            return None
        return EntrantData(code, name, unit, trade, team, gender, birth, number, level)

    def id_number(self, path: str, raw: str, birth: date | None, gender: str | None) -> str | None:
        try:
            parsed = idcard.parse(raw)
        except idcard.IdNumberError as error:
            self.r.problem(path, "bad_id_number", reason=error.code)
            return None
        if birth is not None and parsed.birth_date != birth:
            self.r.problem(path, "id_birth_mismatch", birth_date=birth.isoformat())
        elif gender is not None and parsed.gender != gender:
            self.r.problem(path, "id_gender_mismatch", gender=gender)
        return parsed.number

    def judge(self, path: str, node: Any) -> JudgeData | None:
        r, mark = self.r, self.r.mark()
        if not r.obj(node, path, ("code", "name", "trades"), ("unit", "chief")):
            return None
        code, name = r.code(*at(node, "code", path)), r.text(*at(node, "name", path), 100)
        unit, trades = r.code(*at(node, "unit", path)), r.codes(node, "trades", path)
        chief = r.boolean(*at(node, "chief", path))
        return None if r.failed(mark) else JudgeData(code, name, unit, trades, chief)

    def score(self, path: str, node: Any) -> ScoreData | None:
        r, mark = self.r, self.r.mark()
        if not r.obj(node, path, ("entrant", "value"), ("criterion", "judge", "component")):
            return None
        entrant, value = r.code(*at(node, "entrant", path)), r.decimal(*at(node, "value", path))
        criterion, judge = r.code(*at(node, "criterion", path)), r.code(*at(node, "judge", path))
        component = r.code(*at(node, "component", path))
        by_judge = criterion is not None and judge is not None and component is None
        direct = component is not None and criterion is None and judge is None
        if not (by_judge or direct):
            r.problem(path, "score_target")
        return None if r.failed(mark) else ScoreData(entrant, value, criterion, judge, component)

    def factor(self, path: str, node: Any) -> tuple[str, str, Decimal] | None:
        r, mark = self.r, self.r.mark()
        if not r.obj(node, path, ("entrant", "criterion", "factor"), ()):
            return None
        entrant, criterion = (
            r.code(*at(node, "entrant", path)),
            r.code(*at(node, "criterion", path)),
        )
        factor = r.decimal(*at(node, "factor", path), positive=True)
        return None if r.failed(mark) else (entrant, criterion, factor)

    def excusal(self, path: str, node: Any) -> tuple[str, str, str] | None:
        r, mark = self.r, self.r.mark()
        if not r.obj(node, path, ("entrant", "judge", "reason"), ()):
            return None
        entrant, judge = r.code(*at(node, "entrant", path)), r.code(*at(node, "judge", path))
        reason = r.text(*at(node, "reason", path), 500)
        return None if r.failed(mark) else (entrant, judge, reason)

    def time(self, path: str, node: Any) -> tuple[str, Decimal] | None:
        r, mark = self.r, self.r.mark()
        if not r.obj(node, path, ("entrant", "seconds"), ()):
            return None
        entrant = r.code(*at(node, "entrant", path))
        seconds = r.decimal(*at(node, "seconds", path), minimum=Decimal(0))
        return None if r.failed(mark) else (entrant, seconds)

    def status(self, path: str, node: Any) -> tuple[str, DeclaredStatus] | None:
        r, mark = self.r, self.r.mark()
        if not r.obj(node, path, ("entrant", "status"), ()):
            return None
        entrant = r.code(*at(node, "entrant", path))
        status = r.choice(*at(node, "status", path), [s.value for s in DeclaredStatus])
        return None if r.failed(mark) else (entrant, DeclaredStatus(status))


def _known_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class _References:
    """Cross-reference checks over a package whose every part is well formed."""

    def __init__(self, reader: _Reader, package: Package):
        self.r = reader
        self.p = package
        self.units = {u.code for u in package.units}
        self.trades = {t.code: t for t in package.trades}
        self.teams = {t.code: t for t in package.teams}
        self.entrants = {e.code: e for e in package.entrants}
        self.judges = {j.code: j for j in package.judges}
        self.specs = {t.code: package.trade_spec(t) for t in package.trades}

    def ref(self, path: str, value: str | None, known: Iterable[str], what: str) -> bool:
        """Whether ``value`` (if given) names something that exists; report it if not."""
        if value is not None and value not in known:
            self.r.problem(path, "dangling", what=what, ref=value)
            return False
        return True

    def check(self) -> None:
        for i, rule in enumerate(self.p.event.award_rules):
            for code in sorted(rule.trades or ()):
                self.ref(f"event.award_rules[{i}].trades", code, self.trades, "trade")
        for i, trade in enumerate(self.p.trades):
            for j, component in enumerate(trade.components):
                for k, code in enumerate(component.judges):
                    path = f"trades[{i}].components[{j}].judges[{k}]"
                    if self.ref(path, code, self.judges, "judge") and (
                        trade.code not in self.judges[code].trades
                    ):
                        self.r.problem(path, "judge_not_on_trade", judge=code, trade=trade.code)
        for i, team in enumerate(self.p.teams):
            self.ref(f"teams[{i}].unit", team.unit, self.units, "unit")
        for i, entrant in enumerate(self.p.entrants):
            self.ref(f"entrants[{i}].unit", entrant.unit, self.units, "unit")
            self.ref(f"entrants[{i}].trade", entrant.trade, self.trades, "trade")
            team_ok = self.ref(f"entrants[{i}].team", entrant.team, self.teams, "team")
            if team_ok and entrant.team and self.teams[entrant.team].unit != entrant.unit:
                self.r.problem(f"entrants[{i}].team", "team_of_other_unit", team=entrant.team)
        self.check_people()
        for i, judge in enumerate(self.p.judges):
            self.ref(f"judges[{i}].unit", judge.unit, self.units, "unit")
            for k, code in enumerate(judge.trades):
                self.ref(f"judges[{i}].trades[{k}]", code, self.trades, "trade")
        self.check_scores()
        self.check_entrant_rows()

    def check_people(self) -> None:
        """One person appears once per trade (the same resident ID twice is a duplicate)."""
        seen: dict[tuple[str, str], int] = {}
        for i, entrant in enumerate(self.p.entrants):
            if entrant.id_number is not None:
                key = (entrant.id_number, entrant.trade)
                if key in seen:
                    path = f"entrants[{i}].id_number"
                    self.r.problem(path, "duplicate_person", other=f"entrants[{seen[key]}]")
                seen.setdefault(key, i)

    def entrant_trade(self, path: str, code: str) -> TradeData | None:
        """The trade of the entrant ``code`` refers to (None if there is no such entrant)."""
        if not self.ref(path, code, self.entrants, "entrant"):
            return None
        return self.trades.get(self.entrants[code].trade)

    def check_scores(self) -> None:
        excused: dict[str, set[str]] = defaultdict(set)
        for entrant, code, _ in self.p.excusals:
            excused[entrant].add(code)
        seen: set[tuple[str | None, ...]] = set()
        for i, score in enumerate(self.p.scores):
            path = f"scores[{i}]"
            trade = self.entrant_trade(f"{path}.entrant", score.entrant)
            if trade is None:
                continue
            key = (score.entrant, score.criterion, score.judge, score.component)
            if key in seen:
                self.r.problem(path, "duplicate_score")
                continue
            seen.add(key)
            spec = self.specs[trade.code]
            if score.component is not None:
                component = spec.component(score.component)
                if component is None or not component.is_direct:
                    what = "direct_component" if component else "component"
                    self.r.problem(f"{path}.component", "dangling", what=what, ref=score.component)
                    continue
                error = check_value(score.value, component.max, component.step)
                self.value_problem(path, error, score.value, component.max, component.step)
                continue
            criterion = spec.criterion(score.criterion or "")
            judge = spec.judge(score.judge or "")
            if criterion is None:
                self.r.problem(
                    f"{path}.criterion", "dangling", what="criterion", ref=score.criterion
                )
            elif judge is None:
                self.r.problem(f"{path}.judge", "dangling", what="panel_judge", ref=score.judge)
            else:
                judges_excused = frozenset(excused[score.entrant])
                unit = self.entrants[score.entrant].unit
                error = check_judge_value(spec, criterion, judge, unit, score.value, judges_excused)
                self.value_problem(path, error, score.value, criterion.entry_max, criterion.step)

    def value_problem(
        self, path: str, error: EntryError | None, value: Decimal, maximum: Decimal, step: Decimal
    ) -> None:
        if error is None:
            return
        field_ = "value" if error in (EntryError.OUT_OF_RANGE, EntryError.OFF_STEP) else "judge"
        params = {"value": str(value), "max": str(maximum), "step": str(step)}
        self.r.problem(f"{path}.{field_}", f"score_{error.value}", **params)

    def check_entrant_rows(self) -> None:
        for i, (entrant, criterion, _) in enumerate(self.p.factors):
            trade = self.entrant_trade(f"factors[{i}].entrant", entrant)
            if trade is not None and self.specs[trade.code].criterion(criterion) is None:
                self.r.problem(
                    f"factors[{i}].criterion", "dangling", what="criterion", ref=criterion
                )
        for i, (entrant, judge, _) in enumerate(self.p.excusals):
            trade = self.entrant_trade(f"excusals[{i}].entrant", entrant)
            if trade is not None and self.specs[trade.code].judge(judge) is None:
                self.ref(f"excusals[{i}].judge", judge, (), "panel_judge")
        for i, (entrant, _) in enumerate(self.p.times):
            self.entrant_trade(f"times[{i}].entrant", entrant)
        for i, (entrant, _) in enumerate(self.p.statuses):
            self.entrant_trade(f"statuses[{i}].entrant", entrant)
        self.once("factors", [row[:2] for row in self.p.factors])
        self.once("excusals", [row[:2] for row in self.p.excusals])
        self.once("times", [row[:1] for row in self.p.times])
        self.once("statuses", [row[:1] for row in self.p.statuses])

    def once(self, section: str, keys: list[tuple[object, ...]]) -> None:
        """Report a row whose key appeared earlier in the same section."""
        seen: set[tuple[object, ...]] = set()
        for i, key in enumerate(keys):
            if key in seen:
                self.r.problem(f"{section}[{i}]", "duplicate_entry")
            seen.add(key)
