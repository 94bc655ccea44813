"""Judges' and chief judges' pages."""
