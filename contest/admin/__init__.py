"""Platform administration: accounts and the audit log."""
