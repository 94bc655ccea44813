"""A judge's tablet over real HTTP (urllib, cookies), for tests against gunicorn."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid


class HttpTablet:
    def __init__(self, base: str, username: str, password: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        form = {"username": username, "password": password, "csrf_token": self._token("/login")}
        self.opener.open(self.base + "/login", urllib.parse.urlencode(form).encode(), timeout=30)
        self.token = self._token("/")

    def _token(self, path: str) -> str:
        html = self.opener.open(self.base + path, timeout=30).read().decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    def save(self, trade: int, entrant: int, criterion: str, value: str, key: str | None = None):
        """POST one value; returns (status, body). Connection failures raise OSError."""
        body = json.dumps({"criterion": criterion, "value": value, "base_version": None}).encode()
        request = urllib.request.Request(
            f"{self.base}/api/sheets/{trade}/{entrant}/values",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": self.token,
                "Idempotency-Key": key or uuid.uuid4().hex,
            },
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")
