"""The national skill-level ladder (国家职业资格等级), lowest first."""

SKILL_LADDER: tuple[str, ...] = ("初级工", "中级工", "高级工", "技师", "高级技师")


def skill_rank(level: str | None) -> int | None:
    """Position of ``level`` on the ladder (0 = 初级工), or None if it is not on it."""
    try:
        return SKILL_LADDER.index(level) if level is not None else None
    except ValueError:
        return None
