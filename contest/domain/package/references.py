"""Cross-references of a package whose every part is well formed: every code names something
that exists, a person is entered once per trade, and scores are checked exactly as if
entered in the app (range, step, recusal, excusal and panel membership). Penalties name a
criterion or component of the entrant's trade, and the organisers' decisions name award
rules and entrants, each once (SCORING.md §7). An exam feeds a component without criteria
of its trade and draws its papers; answers and the judges' marks of short items name items
on the entrant's paper (EXAMS.md §5)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from contest.domain.awards import AwardRule
from contest.domain.exams import (
    Exam,
    Item,
    ItemType,
    Paper,
    Section,
    TooFewItems,
    draw_papers,
)
from contest.domain.exams import paper_number as exam_paper_number
from contest.domain.package.data import Package, ScoreData, TradeData
from contest.domain.refusal import Problem
from contest.domain.scoring import (
    EntryError,
    check_judge_value,
    check_value,
    is_recused,
    score_entrant,
)


class References:
    """Cross-reference checks over a package whose every part is well formed."""

    def __init__(self, package: Package):
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.p = package
        self.units = {u.code for u in package.units}
        self.trades = {t.code: t for t in package.trades}
        self.teams = {t.code: t for t in package.teams}
        self.entrants = {e.code: e for e in package.entrants}
        self.judges = {j.code: j for j in package.judges}
        self.specs = {t.code: package.trade_spec(t) for t in package.trades}
        self.rules = {r.code: r for r in package.event.award_rules}
        self.bank = {item.code: item for item in package.question_bank}
        self.fed: set[tuple[str, str]] = set()  # (trade, component) an exam feeds
        self.exams: dict[str, Exam] = {}  # the sound exams, by trade
        self.drawn: dict[str, list[dict[str, Section]]] = {}  # each paper's items' sections
        self.sitting: dict[str, int] = {}  # the paper each entrant sits

    def problem(self, path: str, code: str, /, **params: Any) -> None:
        self.problems.append(Problem(path, code, params))

    def ref(self, path: str, value: str | None, known: Iterable[str], what: str) -> bool:
        """Whether ``value`` (if given) names something that exists; report it if not."""
        if value is not None and value not in known:
            self.problem(path, "dangling", what=what, ref=value)
            return False
        return True

    def check(self) -> list[Problem]:
        """Every reference that does not resolve, and every score the rules refuse."""
        for i, rule in enumerate(self.p.event.award_rules):
            for code in sorted(rule.trades or ()):
                self.ref(f"event.award_rules[{i}].trades", code, self.trades, "trade")
            self.check_lines(f"event.award_rules[{i}]", rule)
        for i, trade in enumerate(self.p.trades):
            for j, component in enumerate(trade.components):
                for k, code in enumerate(component.judges):
                    path = f"trades[{i}].components[{j}].judges[{k}]"
                    if self.ref(path, code, self.judges, "judge") and (
                        trade.code not in self.judges[code].trades
                    ):
                        self.problem(path, "judge_not_on_trade", judge=code, trade=trade.code)
        for i, team in enumerate(self.p.teams):
            self.ref(f"teams[{i}].unit", team.unit, self.units, "unit")
        for i, entrant in enumerate(self.p.entrants):
            self.ref(f"entrants[{i}].unit", entrant.unit, self.units, "unit")
            self.ref(f"entrants[{i}].trade", entrant.trade, self.trades, "trade")
            team_ok = self.ref(f"entrants[{i}].team", entrant.team, self.teams, "team")
            if team_ok and entrant.team and self.teams[entrant.team].unit != entrant.unit:
                self.problem(f"entrants[{i}].team", "team_of_other_unit", team=entrant.team)
        self.check_people()
        for i, judge in enumerate(self.p.judges):
            self.ref(f"judges[{i}].unit", judge.unit, self.units, "unit")
            for k, code in enumerate(judge.trades):
                self.ref(f"judges[{i}].trades[{k}]", code, self.trades, "trade")
        self.check_exams()
        self.check_scores()
        self.check_entrant_rows()
        self.check_answers()
        self.check_penalties()
        self.check_decisions()
        if not self.problems:
            self.check_named()
        return self.problems

    def check_lines(self, path: str, rule: AwardRule) -> None:
        """A pass line names a component of a trade the rule applies to (SCORING.md §7)."""
        applies = [t for t in self.p.trades if rule.trades is None or t.code in rule.trades]
        components = {c.code for t in applies for c in t.components}
        for code in rule.min_components or {}:
            where = f"{path}.min_components.{code}"
            self.ref(where, code, components, "rule_component")

    def check_people(self) -> None:
        """One person appears once per trade (the same resident ID twice is a duplicate)."""
        seen: dict[tuple[str, str], int] = {}
        for i, entrant in enumerate(self.p.entrants):
            if entrant.id_number is not None:
                key = (entrant.id_number, entrant.trade)
                if key in seen:
                    path = f"entrants[{i}].id_number"
                    self.problem(path, "duplicate_person", other=f"entrants[{seen[key]}]")
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
            key = (score.entrant, score.criterion, score.judge, score.component, score.item)
            if key in seen:
                self.problem(path, "duplicate_score")
                continue
            seen.add(key)
            spec = self.specs[trade.code]
            if score.item is not None:
                self.check_item_score(path, score, trade, frozenset(excused[score.entrant]))
                continue
            if score.component is not None and (trade.code, score.component) in self.fed:
                where = f"{path}.component"
                self.problem(where, "exam_component_scored", component=score.component)
                continue
            if score.component is not None:
                component = spec.component(score.component)
                if component is None or not component.is_direct:
                    what = "direct_component" if component else "component"
                    self.problem(f"{path}.component", "dangling", what=what, ref=score.component)
                    continue
                error = check_value(score.value, component.max, component.step)
                self.value_problem(path, error, score.value, component.max, component.step)
                continue
            criterion = spec.criterion(score.criterion or "")
            judge = spec.judge(score.judge or "")
            if criterion is None:
                self.problem(f"{path}.criterion", "dangling", what="criterion", ref=score.criterion)
            elif judge is None:
                self.problem(f"{path}.judge", "dangling", what="panel_judge", ref=score.judge)
            else:
                judges_excused = frozenset(excused[score.entrant])
                unit = self.entrants[score.entrant].unit
                error = check_judge_value(spec, criterion, judge, unit, score.value, judges_excused)
                self.value_problem(path, error, score.value, criterion.entry_max, criterion.step)

    def check_exams(self) -> None:
        """An exam feeds a component without criteria of a known trade, one exam a trade; its
        sections draw enough items; its voided items are on a paper and leave every paper
        something to mark (EXAMS.md §2, §3)."""
        seen: dict[str, int] = {}
        for i, exam in enumerate(self.p.exams):
            path = f"exams[{i}]"
            if not self.ref(f"{path}.trade", exam.trade, self.trades, "trade"):
                continue
            component = self.specs[exam.trade].component(exam.component)
            if component is None:
                self.ref(f"{path}.component", exam.component, (), "component")
                continue
            self.fed.add((exam.trade, exam.component))
            if not component.is_direct:
                self.problem(f"{path}.component", "exam_with_criteria", component=exam.component)
                continue
            if exam.trade in seen:
                where, other = f"{path}.trade", f"exams[{seen[exam.trade]}]"
                self.problem(where, "duplicate_exam", trade=exam.trade, other=other)
                continue
            seen[exam.trade] = i
            try:
                papers = draw_papers(exam, self.p.question_bank)
            except TooFewItems as error:
                where = f"{path}.sections[{error.params['section'] - 1}]"
                self.problem(where, "too_few_items", **error.params)
                continue
            on_paper = {code for paper in papers for code in paper.items}
            for code in sorted(exam.voided):
                if self.ref(f"{path}.voided", code, self.bank, "item") and code not in on_paper:
                    self.problem(f"{path}.voided", "voided_not_on_paper", item=code)
            for paper in papers:
                if all(code in exam.voided for code in paper.items):
                    self.problem(f"{path}.voided", "all_voided", paper=paper.number)
            self.exams[exam.trade] = exam
            self.drawn[exam.trade] = [_sections(exam, paper) for paper in papers]

    def paper_item(self, path: str, entrant: str, code: str) -> tuple[Item, Section] | None:
        """The item ``code`` names and its section, if it is on the paper the entrant sits
        (None, reported, if not)."""
        trade = self.entrant_trade(f"{path}.entrant", entrant)
        if trade is None:
            return None
        exam = self.exams.get(trade.code)
        if exam is None:
            if not any(e.trade == trade.code for e in self.p.exams):  # else said of the exam
                self.problem(f"{path}.entrant", "no_exam", entrant=entrant, trade=trade.code)
            return None
        if not self.ref(f"{path}.item", code, self.bank, "item"):
            return None
        number = self.sitting.get(entrant)
        if number is None:
            number = self.sitting[entrant] = exam_paper_number(exam, entrant)
        section = self.drawn[trade.code][number - 1].get(code)
        if section is None:
            self.problem(f"{path}.item", "not_on_paper", item=code, paper=number)
            return None
        return self.bank[code], section

    def check_item_score(
        self, path: str, score: ScoreData, trade: TradeData, excused: frozenset[str]
    ) -> None:
        """A judge's marks for a short item: on the exam's panel (the component's judges,
        else the trade's), not recused nor excused, in 0..the section's marks on its step."""
        found = self.paper_item(path, score.entrant, score.item or "")
        if found is None:
            return
        item, section = found
        if item.type != ItemType.SHORT:
            self.problem(f"{path}.item", "not_short", item=item.code, type=item.type.value)
            return
        spec = self.specs[trade.code]
        judge = spec.judge(score.judge or "")
        if judge is None:
            self.problem(f"{path}.judge", "dangling", what="panel_judge", ref=score.judge)
            return
        component = spec.component(self.exams[trade.code].component)
        seats = (component.judges if component else ()) or spec.judge_codes
        if judge.code not in seats:
            self.problem(f"{path}.judge", "score_not_on_exam_panel")
            return
        error = None
        if is_recused(spec.recusal, judge.unit, self.entrants[score.entrant].unit):
            error = EntryError.RECUSED
        elif judge.code in excused:
            error = EntryError.EXCUSED
        else:
            error = check_value(score.value, section.marks, section.step)
        self.value_problem(path, error, score.value, section.marks, section.step)

    def check_answers(self) -> None:
        """An answer names an objective item on the entrant's paper, once, and its response
        suits the item (null: left blank)."""
        for i, (entrant, code, response) in enumerate(self.p.answers):
            path = f"answers[{i}]"
            found = self.paper_item(path, entrant, code)
            if found is None:
                continue
            item = found[0]
            if item.type == ItemType.SHORT:
                self.problem(f"{path}.item", "short_answer", item=code)
            elif response is not None and not _suits(item, response):
                details = (
                    {"labels": ", ".join(item.options)}
                    if item.type.has_options
                    else {"n": item.blanks}
                    if item.type == ItemType.FILL
                    else {}
                )
                self.problem(f"{path}.response", f"response_{item.type.value}", **details)
        self.once("answers", [row[:2] for row in self.p.answers])

    def value_problem(
        self, path: str, error: EntryError | None, value: Decimal, maximum: Decimal, step: Decimal
    ) -> None:
        if error is None:
            return
        field_ = "value" if error in (EntryError.OUT_OF_RANGE, EntryError.OFF_STEP) else "judge"
        params = {"value": str(value), "max": str(maximum), "step": str(step)}
        self.problem(f"{path}.{field_}", f"score_{error.value}", **params)

    def check_entrant_rows(self) -> None:
        for i, (entrant, criterion, _) in enumerate(self.p.factors):
            trade = self.entrant_trade(f"factors[{i}].entrant", entrant)
            if trade is not None and self.specs[trade.code].criterion(criterion) is None:
                self.problem(f"factors[{i}].criterion", "dangling", what="criterion", ref=criterion)
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

    def check_penalties(self) -> None:
        """A penalty is taken off a criterion or component of the entrant's trade."""
        for i, (entrant, penalty) in enumerate(self.p.penalties):
            trade = self.entrant_trade(f"penalties[{i}].entrant", entrant)
            if trade is None:
                continue
            spec = self.specs[trade.code]
            if penalty.criterion is not None and spec.criterion(penalty.criterion) is None:
                self.ref(f"penalties[{i}].criterion", penalty.criterion, (), "criterion")
            if penalty.component is not None and spec.component(penalty.component) is None:
                self.ref(f"penalties[{i}].component", penalty.component, (), "component")

    def check_decisions(self) -> None:
        """The organisers' decisions name award rules and entrants, each pair once; a named
        entrant is named for a manual rule."""
        for section, rows in (
            ("ineligible", [(rule, entrant) for rule, entrant, _ in self.p.ineligible]),
            ("manual_awards", list(self.p.manual_awards)),
        ):
            seen: set[tuple[str, str]] = set()
            for i, (rule, entrant) in enumerate(rows):
                self.ref(f"{section}[{i}].entrant", entrant, self.entrants, "entrant")
                if self.ref(f"{section}[{i}].rule", rule, self.rules, "award_rule") and (
                    section == "manual_awards" and not self.rules[rule].select.manual
                ):
                    self.problem(f"{section}[{i}].rule", "not_manual", rule=rule)
                if (rule, entrant) in seen:
                    self.problem(f"{section}[{i}]", "duplicate_decision")
                seen.add((rule, entrant))

    def check_named(self) -> None:
        """Warn of an entrant a manual rule names who is not ranked: the rule passes them
        over (SCORING.md §7). Only the named entrants are scored."""
        decimals = self.p.event.decimals
        for i, (_, code) in enumerate(self.p.manual_awards):
            trade = self.trades[self.entrants[code].trade]
            entrant = next(e for e in self.p.entrant_inputs(trade.code) if e.code == code)
            if not score_entrant(self.specs[trade.code], entrant, decimals).ranked:
                where = f"manual_awards[{i}].entrant"
                self.warnings.append(Problem(where, "manual_unranked", {"entrant": code}))

    def once(self, section: str, keys: list[tuple[object, ...]]) -> None:
        """Report a row whose key appeared earlier in the same section."""
        seen: set[tuple[object, ...]] = set()
        for i, key in enumerate(keys):
            if key in seen:
                self.problem(f"{section}[{i}]", "duplicate_entry")
            seen.add(key)


def _sections(exam: Exam, paper: Paper) -> dict[str, Section]:
    """The section each item of a paper is drawn by."""
    return {
        code: section
        for section, codes in zip(exam.sections, paper.sections, strict=True)
        for code in codes
    }


def _suits(item: Item, response: Any) -> bool:
    """Whether a response has the shape the item's type asks for (EXAMS.md §3)."""
    if item.type == ItemType.SINGLE:
        return isinstance(response, str) and response in item.options
    if item.type == ItemType.MULTIPLE:
        return (
            isinstance(response, list)
            and all(isinstance(label, str) and label in item.options for label in response)
            and len(set(response)) == len(response)
        )
    if item.type == ItemType.JUDGE:
        return isinstance(response, bool)
    return (
        isinstance(response, list)
        and len(response) == item.blanks
        and all(given is None or isinstance(given, str) for given in response)
    )
