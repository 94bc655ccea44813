"""Events and what an organiser sets up in them: units, trades, marking schemes, award
rules, judges and panels."""
