"""Judging: the judges' score sheets and their API, the chief judge's desk, paper sheets, the
draw of lots and check-in."""
