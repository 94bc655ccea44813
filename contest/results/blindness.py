"""Blind judging on the internal results: someone who scores a trade sees its entrants as on
their sheets — by station and anonymous code, without names, units or teams — until the
trade is signed off. Organisers, who do not score, see the names."""

from __future__ import annotations

import sqlalchemy as sa

from contest.accounts.models import User
from contest.core.extensions import db
from contest.events.models import Component, Criterion, Judge, PanelMember, Trade, component_judges

#: code → (name, unit name, team name, station, status reason, anonymous code) of a trade's
#: approved entrants.
EntrantNames = dict[str, tuple[str, str, str | None, int | None, str | None, str]]


def blind(user: User, trade: Trade) -> bool:
    """Whether ``user`` must see the trade's entrants by station and anonymous code only:
    they score the trade (sit on its panel with a criterion to mark) and it is not signed
    off yet."""
    if trade.is_locked:
        return False
    judge = db.session.execute(
        sa.select(Judge.id)
        .join(PanelMember, PanelMember.judge_id == Judge.id)
        .where(PanelMember.trade_id == trade.id, Judge.user_id == user.id)
    ).scalar_one_or_none()
    if judge is None:
        return False
    own_panel = sa.exists().where(component_judges.c.component_id == Component.id)
    seated = sa.exists().where(
        component_judges.c.component_id == Component.id, component_judges.c.judge_id == judge
    )
    marks = db.session.execute(
        sa.select(Criterion.id)
        .join(Component, Component.id == Criterion.component_id)
        .where(Criterion.trade_id == trade.id, sa.or_(~own_panel, seated))
        .limit(1)
    ).first()
    return marks is not None


def anonymous(entrants: EntrantNames) -> EntrantNames:
    """The entrants as a judge knows them: the anonymous code in place of everything else
    but the station (and an entrant without one, before the draw, by a number of the list)."""
    found = {}
    for n, (code, (*_, station, _reason, anon)) in enumerate(sorted(entrants.items()), 1):
        found[code] = ("", "", None, station, None, anon if anon != code else f"#{n}")
    return found
