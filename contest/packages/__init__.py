"""Whole events in and out as contest-package/1 documents."""
