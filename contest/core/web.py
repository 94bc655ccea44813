"""The request boundary: a view that returns commits the request's work once; a view that
raises has all of it rolled back before the error is shown (after Indico's ``RH.process``)."""

from __future__ import annotations

from flask import Flask
from flask.typing import ResponseReturnValue

from contest.core.transaction import rollback
from contest.extensions import db


class App(Flask):
    """Flask with one transaction per request."""

    def dispatch_request(self) -> ResponseReturnValue:
        """Run the view; commit once if it returns, roll back if it raises. A failed commit
        is an error of the request like any other (a conflict, the database gone)."""
        try:
            response = super().dispatch_request()
        except BaseException:
            rollback()
            raise
        db.session.commit()
        return response
