"""The glue between the domain and the database: load rows, call the domain, flush.

Services never commit; the caller (a view or a command) owns the transaction.
"""
