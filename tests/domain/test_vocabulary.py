"""Small domain rules: stage transitions, the skill ladder, recusal."""

import pytest

from contest.domain.scoring import Recusal, is_recused
from contest.domain.skills import SKILL_LADDER, skill_rank
from contest.domain.stages import StageState, can_transition


@pytest.mark.parametrize(
    "current, target, allowed",
    [
        (StageState.PENDING, StageState.OPEN, True),
        (StageState.PENDING, StageState.CLOSED, True),
        (StageState.OPEN, StageState.CLOSED, True),
        (StageState.CLOSED, StageState.OPEN, True),  # reopened by hand, with a reason
        (StageState.OPEN, StageState.PENDING, False),
        (StageState.CLOSED, StageState.PENDING, False),
        (StageState.OPEN, StageState.OPEN, False),
        (StageState.CLOSED, StageState.CLOSED, False),
    ],
)
def test_stage_transitions(current, target, allowed):
    assert can_transition(current, target) is allowed


def test_skill_ladder_order():
    assert SKILL_LADDER == ("初级工", "中级工", "高级工", "技师", "高级技师")
    assert skill_rank("初级工") == 0
    assert skill_rank("高级技师") == 4
    assert skill_rank("工程师") is None
    assert skill_rank(None) is None


@pytest.mark.parametrize(
    "recusal, judge_unit, entrant_unit, recused",
    [
        (Recusal.SAME_UNIT, "XH", "XH", True),
        (Recusal.SAME_UNIT, "WG", "XH", False),
        (Recusal.SAME_UNIT, None, "XH", False),  # a judge from no unit is never recused
        (Recusal.NONE, "XH", "XH", False),
    ],
)
def test_recusal(recusal, judge_unit, entrant_unit, recused):
    assert is_recused(recusal, judge_unit, entrant_unit) is recused
