"""Accounts: logging in, passwords, roles and who may do what; the administrator's pages."""
