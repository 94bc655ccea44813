"""Results: computed exactly from the scores (SCORING.md), stored per trade, reported and
exported."""
