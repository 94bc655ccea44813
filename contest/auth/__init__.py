"""Logging in and out, passwords, and access control."""
