"""Clients for the judging tests: a judge's tablet on the sheet API, a desk in a browser."""

from __future__ import annotations

import uuid

from tests.conftest import csrf_token, login


class Tablet:
    """A logged-in judge's tablet talking to the sheet API."""

    def __init__(self, app, username):
        self.client = app.test_client()
        login(self.client, username)
        self.token = csrf_token(self.client, "/")

    def _post(self, path, body, key=None):
        headers = {"X-CSRFToken": self.token, "Idempotency-Key": key or uuid.uuid4().hex}
        return self.client.post(path, json=body, headers=headers)

    def sheet(self, trade, entrant):
        return self.client.get(f"/api/sheets/{trade}/{entrant}")

    def save(self, trade, entrant, criterion, value, base=None, reason=None, key=None):
        body = {"criterion": criterion, "value": value, "base_version": base}
        if reason:
            body["reason"] = reason
        return self._post(f"/api/sheets/{trade}/{entrant}/values", body, key)

    def submit(self, trade, entrant, key=None):
        return self._post(f"/api/sheets/{trade}/{entrant}/submit", {}, key)


class Desk:
    """A logged-in person posting the desk's forms with the session's CSRF token."""

    def __init__(self, app, username):
        self.client = app.test_client()
        login(self.client, username)
        self.token = csrf_token(self.client, "/")

    def get(self, path):
        return self.client.get(path)

    def post(self, path, data=None):
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})})
