"""Organisers' registration desk: review, coverage, draw of lots, check-in."""
