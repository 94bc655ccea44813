"""The shape every refused action of the services shares."""

from __future__ import annotations

from typing import Any, ClassVar


class Refused(ValueError):
    """An action the rules refuse: ``code`` says why, ``params`` give the details for the
    message (``contest.messages``), ``status`` the HTTP status a view answers with."""

    #: HTTP status per code; any other code is a 400.
    STATUS: ClassVar[dict[str, int]] = {}

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def status(self) -> int:
        return self.STATUS.get(self.code, 400)
