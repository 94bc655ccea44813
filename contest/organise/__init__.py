"""Organisers' pages: events, trades, units, registrations."""
