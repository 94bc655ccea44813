"""The sections of a package: their shape (``schema``), the rules of each list taken as a
whole (codes used once, criteria unique within a trade, tie-breakers that name something of
the trade, weights adding up to 1), and the data they make (``data``).

When the document has problems, the rows that have none are read one by one so that the
rules of the lists still speak of them: two units with the same code are reported beside a
third unit's unknown kind, as a reader going through the document would report them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from contest.domain import exams
from contest.domain.awards import AwardRule, Promotion, Selection
from contest.domain.package import data, schema
from contest.domain.package.data import Package
from contest.domain.package.fields import problems_of
from contest.domain.package.schema import PACKAGE_FORMAT
from contest.domain.refusal import Problem
from contest.domain.scoring import Aggregation, CriterionSpec, Overtime, Penalty

M = TypeVar("M", bound=BaseModel)


def _each(model: type[M], nodes: Any) -> list[M | None]:
    """Each node of a list read on its own (None where it has a problem)."""
    if not isinstance(nodes, list):
        return []
    found: list[M | None] = []
    for node in nodes:
        try:
            found.append(model.model_validate(node))
        except ValidationError:
            found.append(None)
    return found


def _member(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, dict) else None


@dataclass
class TradeRows:
    """A trade (None if it has a problem) and its components (each None if it has one)."""

    trade: schema.Trade | None
    components: Sequence[schema.Component | None]


@dataclass
class Rows:
    """The rows whose codes must be unique, each None where it has a problem."""

    award_rules: Sequence[schema.AwardRule | None] = ()
    units: Sequence[schema.Unit | None] = ()
    trades: Sequence[TradeRows] = ()
    teams: Sequence[schema.Team | None] = ()
    entrants: Sequence[schema.Entrant | None] = ()
    judges: Sequence[schema.Judge | None] = ()
    question_bank: Sequence[schema.QuestionItem | None] = ()

    @classmethod
    def of(cls, doc: schema.Document) -> Rows:
        """The rows of a sound document."""
        return cls(
            doc.event.award_rules,
            doc.units,
            [TradeRows(t, t.components) for t in doc.trades],
            doc.teams,
            doc.entrants,
            doc.judges,
            doc.question_bank,
        )

    @classmethod
    def salvaged(cls, document: Any) -> Rows:
        """The sound rows of a document with problems."""
        trades, nodes = [], _member(document, "trades")
        for node in nodes if isinstance(nodes, list) else ():
            trade = _each(schema.Trade, [node])[0]
            components: Sequence[schema.Component | None] = (
                trade.components if trade else _each(schema.Component, _member(node, "components"))
            )
            trades.append(TradeRows(trade, components))
        return cls(
            _each(schema.AwardRule, _member(_member(document, "event"), "award_rules")),
            _each(schema.Unit, _member(document, "units")),
            trades,
            _each(schema.Team, _member(document, "teams")),
            _each(schema.Entrant, _member(document, "entrants")),
            _each(schema.Judge, _member(document, "judges")),
            _each(schema.QuestionItem, _member(document, "question_bank")),
        )


@dataclass
class Rules:
    """The rules of each list taken as a whole."""

    problems: list[Problem] = field(default_factory=list)  # of one row (a trade, the event)
    duplicates: list[Problem] = field(default_factory=list)  # of a whole section
    warnings: list[Problem] = field(default_factory=list)

    def problem(self, path: str, code: str, /, **params: Any) -> None:
        self.problems.append(Problem(path, code, params))

    def unique(self, section: str, codes: Iterable[str | None], into: list[Problem]) -> None:
        """Report a code used twice within one list, at its second use."""
        seen: set[str] = set()
        for i, code in enumerate(codes):
            if code is not None and code in seen:
                into.append(Problem(f"{section}[{i}].code", "duplicate", {"code": code}))
            if code is not None:
                seen.add(code)

    def check(self, rows: Rows) -> None:
        rules = (r.code if r else None for r in rows.award_rules)
        self.unique("event.award_rules", rules, self.problems)
        sound = [self.trade(f"trades[{i}]", row) for i, row in enumerate(rows.trades)]
        for section, codes in (
            ("units", (u.code if u else None for u in rows.units)),
            ("trades", (t.code if t else None for t in sound)),
            ("teams", (t.code if t else None for t in rows.teams)),
            ("entrants", (e.code if e else None for e in rows.entrants)),
            ("judges", (j.code if j else None for j in rows.judges)),
            ("question_bank", (q.code if q else None for q in rows.question_bank)),
        ):
            self.unique(section, codes, self.duplicates)
        self.same_stems(rows.question_bank)

    def same_stems(self, items: Sequence[schema.QuestionItem | None]) -> None:
        """Two items whose stems are equal after normalisation are reported, naming both,
        not merged (EXAMS.md §1)."""
        seen: dict[str, str] = {}
        for i, item in enumerate(items):
            if item is None:
                continue
            stem = exams.normalise(item.stem)
            if stem in seen and seen[stem] != item.code:
                where = f"question_bank[{i}].stem"
                params = {"code": item.code, "other": seen[stem]}
                self.duplicates.append(Problem(where, "duplicate_stem", params))
            seen.setdefault(stem, item.code)

    def trade(self, path: str, row: TradeRows) -> schema.Trade | None:
        """Check one trade's lists; the trade if it is sound."""
        before = len(self.problems)
        components = [c for c in row.components if c is not None]
        codes = (c.code if c else None for c in row.components)
        self.unique(f"{path}.components", codes, self.problems)
        for i, component in enumerate(row.components):
            if component is not None:
                where = f"{path}.components[{i}].criteria"
                self.unique(where, (k.code for k in component.criteria), self.problems)
        criteria = [k.code for c in components for k in c.criteria]
        if len(set(criteria)) != len(criteria):
            self.problem(f"{path}.components", "duplicate_criterion")
        trade = row.trade
        if trade is None or len(self.problems) > before:
            return None
        for i, breaker in enumerate(trade.tie_breakers):
            kind, _, ref = breaker.partition(":")
            known = (
                (kind == "time" and not ref)
                or (kind == "component" and any(c.code == ref for c in components))
                or (kind == "criterion" and ref in criteria)
            )
            if not known:
                self.problem(f"{path}.tie_breakers[{i}]", "bad_tie_breaker", value=breaker)
        self.section_7(path, trade, {c.code for c in components})
        weights = sum((c.weight for c in components), Decimal(0))
        if weights != 1:
            self.warnings.append(
                Problem(f"{path}.components", "weights_not_one", {"sum": str(weights)})
            )
        return trade

    def section_7(self, path: str, trade: schema.Trade, components: set[str]) -> None:
        """The trade's team tie-breakers and overtime name its components (SCORING.md §7)."""
        for i, breaker in enumerate(trade.team_tie_breakers):
            kind, _, ref = breaker.partition(":")
            if not ((kind == "time" and not ref) or (kind == "component" and ref in components)):
                self.problem(
                    f"{path}.team_tie_breakers[{i}]", "bad_team_tie_breaker", value=breaker
                )
        overtime = trade.overtime
        if overtime is not None and overtime.component not in components:
            where = f"{path}.overtime.component"
            self.problem(where, "dangling", what="component", ref=overtime.component)


def read_sections(document: Any) -> tuple[Package | None, list[Problem], list[Problem]]:
    """The package a document describes (None if its sections have problems), its problems
    in the order of the document and its warnings. Cross-references are not checked here
    (``references``)."""
    try:
        doc: schema.Document | None = schema.Document.model_validate(document)
    except ValidationError as error:
        doc, found = None, problems_of(error)
    else:
        found = []
    rules, head = Rules(), []
    if isinstance(document, dict):
        if document.get("format") not in (None, PACKAGE_FORMAT):
            # Refused, but read through all the same: its other problems are worth knowing.
            head.append(Problem("format", "bad_format_name", {"expected": PACKAGE_FORMAT}))
        rules.check(Rows.of(doc) if doc is not None else Rows.salvaged(document))
    ordered = sorted(
        [(_place(p.path), 0, p) for p in found]
        + [((-1, 0), 1, p) for p in head]
        + [(_place(p.path), 1, p) for p in rules.problems],
        key=lambda row: row[:2],
    )
    problems = [p for *_, p in ordered] + rules.duplicates
    read = package(doc) if doc is not None and len(problems) == len(head) else None
    return read, problems, rules.warnings


#: The document's sections in the order they are read.
SECTIONS = tuple(name for name in schema.Document.model_fields if name != "format")
_PLACE = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def _place(path: str) -> tuple[int, int]:
    """The section and the row a path is in (the document itself comes first)."""
    match = _PLACE.match(path)
    if match is None or match[1] not in SECTIONS:
        return -1, 0
    return SECTIONS.index(match[1]), int(match[2] or 0)


# --- the data ----------------------------------------------------------------------------------


def _schedule(node: schema.EventSchedule | schema.TradeSchedule | None) -> dict[str, data.Window]:
    windows: dict[str, data.Window] = {}
    for kind, window in node or ():
        if isinstance(window, schema.Window):
            windows[kind] = data.Window(window.opens, window.closes)
        elif isinstance(window, schema.Moment):
            windows[kind] = data.Window(window.at)
    return windows


def _selection(node: schema.Select) -> Selection:
    if node.top is not None:
        return Selection(top=node.top)
    if node.ranks is not None:
        return Selection(ranks=node.ranks)
    if node.percent is not None:
        return Selection(percent=node.percent, rounding=node.rounding, of=node.of)
    if node.manual:
        return Selection(manual=True)
    return Selection(top_by_field=tuple(node.top_by_field or ()))


def _promotion(node: schema.Promote | None) -> Promotion | None:
    if node is None:
        return None
    if node.to is not None:
        return Promotion(cap=node.cap, to=node.to)
    return Promotion(node.levels, node.cap)


def _award_rule(node: schema.AwardRule) -> AwardRule:
    return AwardRule(
        node.code,
        node.title,
        _selection(node.select),
        node.min_total,
        node.min_entrants,
        node.max_age,
        frozenset(node.trades) if node.trades is not None else None,
        node.group,
        _promotion(node.promote),
        node.min_components,
        node.gender,
    )


def _event(node: schema.Event) -> data.EventData:
    return data.EventData(
        node.slug,
        node.name,
        node.starts_on,
        node.timezone,
        node.decimals,
        tuple(node.placement_points),
        node.medals_by_field,
        _schedule(node.schedule),
        tuple(_award_rule(rule) for rule in node.award_rules),
    )


def _criterion(node: schema.Criterion) -> data.CriterionData:
    spec = CriterionSpec(
        code=node.code,
        max=node.max,
        kind=node.kind,
        scale=node.scale,
        step=node.step,
        aggregation=node.aggregation,
        trim=node.trim,
        factor=node.factor,
        max_spread=node.max_spread,
    )
    return data.CriterionData(spec, node.name, node.description)


def _trade(node: schema.Trade) -> data.TradeData:
    components = tuple(
        data.ComponentData(
            c.code,
            c.name,
            c.weight,
            c.max,
            c.step,
            tuple(_criterion(k) for k in c.criteria),
            tuple(c.judges),
        )
        for c in node.components
    )
    return data.TradeData(
        node.code,
        node.name,
        node.category,
        components,
        tuple(node.tie_breakers),
        node.min_entrants,
        node.team_size,
        node.recusal,
        _schedule(node.schedule),
        dict(node.disqualify_on),
        _overtime(node.overtime),
        tuple(node.team_tie_breakers),
        node.min_started,
    )


def _overtime(node: schema.Overtime | None) -> Overtime | None:
    if node is None:
        return None
    return Overtime(node.component, node.limit, node.per_minute, node.zero_after)


def item_of(node: schema.QuestionItem) -> exams.Item:
    """A bank item of the package as the pure rules take it."""
    key: Any = node.key
    if node.type == exams.ItemType.MULTIPLE:
        key = frozenset(key)
    elif node.type == exams.ItemType.FILL:
        key = tuple(tuple(blank) for blank in key)
    return exams.Item(
        node.code,
        node.type,
        node.stem,
        key,
        node.marks,
        dict(node.options or {}),
        tuple(node.tags),
        node.level,
        node.difficulty,
        node.explanation,
    )


def _section(node: schema.ExamSection) -> exams.Section:
    found = node.filter
    items = (
        exams.ItemFilter(tuple(found.tags), found.level or (), found.difficulty)
        if found is not None
        else exams.ItemFilter()
    )
    return exams.Section(
        node.type,
        node.count,
        node.marks,
        items,
        node.partial,
        node.step if node.step is not None else Decimal("0.5"),
        node.aggregation or Aggregation.MEAN,
        node.trim if node.trim is not None else 1,
    )


def exam_of(node: schema.Exam) -> exams.Exam:
    """An exam of the package as the pure rules take it."""
    return exams.Exam(
        node.trade,
        node.component,
        node.minutes,
        node.seed,
        tuple(_section(s) for s in node.sections),
        node.papers,
        frozenset(node.voided),
    )


def package(doc: schema.Document) -> Package:
    """The data of a sound document."""
    return Package(
        event=_event(doc.event),
        units=tuple(data.UnitData(u.code, u.name, u.kind) for u in doc.units),
        trades=tuple(_trade(t) for t in doc.trades),
        teams=tuple(data.TeamData(t.code, t.unit, t.name) for t in doc.teams),
        entrants=tuple(
            data.EntrantData(
                e.code,
                e.name,
                e.unit,
                e.trade,
                e.team,
                e.gender,
                e.birth_date,
                e.id_number,
                e.skill_level,
            )
            for e in doc.entrants
        ),
        judges=tuple(
            data.JudgeData(j.code, j.name, j.unit, tuple(j.trades), j.chief) for j in doc.judges
        ),
        scores=tuple(
            data.ScoreData(
                s["entrant"],
                s["value"],
                s.get("criterion"),
                s.get("judge"),
                s.get("component"),
                s.get("item"),
            )
            for s in doc.scores
        ),
        factors=tuple((f.entrant, f.criterion, f.factor) for f in doc.factors),
        excusals=tuple((x.entrant, x.judge, x.reason) for x in doc.excusals),
        times=tuple((t.entrant, t.seconds) for t in doc.times),
        statuses=tuple((s.entrant, s.status) for s in doc.statuses),
        penalties=tuple(
            (p.entrant, Penalty(p.kind, p.points, p.criterion, p.component, p.reason))
            for p in doc.penalties
        ),
        ineligible=tuple((x.rule, x.entrant, x.reason) for x in doc.ineligible),
        manual_awards=tuple((m.rule, m.entrant) for m in doc.manual_awards),
        question_bank=tuple(item_of(q) for q in doc.question_bank),
        exams=tuple(exam_of(e) for e in doc.exams),
        answers=tuple((a["entrant"], a["item"], a.get("response")) for a in doc.answers),
    )
