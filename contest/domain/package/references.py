"""Cross-references of a package whose every part is well formed: every code names something
that exists, a person is entered once per trade, and scores are checked exactly as if
entered in the app (range, step, recusal, excusal and panel membership). Penalties name a
criterion or component of the entrant's trade, and the organisers' decisions name award
rules and entrants, each once (SCORING.md §7)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from contest.domain.awards import AwardRule
from contest.domain.package.data import Package, TradeData
from contest.domain.refusal import Problem
from contest.domain.scoring import EntryError, check_judge_value, check_value, score_entrant


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
        self.check_scores()
        self.check_entrant_rows()
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
            key = (score.entrant, score.criterion, score.judge, score.component)
            if key in seen:
                self.problem(path, "duplicate_score")
                continue
            seen.add(key)
            spec = self.specs[trade.code]
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
