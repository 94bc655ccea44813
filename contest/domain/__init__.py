"""Pure domain rules: no Flask, no SQLAlchemy. Every module here is testable on its own."""
