"""Unit contacts' pages: their team and entrants."""
