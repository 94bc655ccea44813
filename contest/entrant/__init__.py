"""Entrants' own pages."""
