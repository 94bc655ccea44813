"""Refusals: an action or a document the rules refuse, why, and how it is answered.

A refusal carries a ``code`` (why), its ``params`` (the details its message names), the
HTTP ``status`` it is answered with and, for input with several faults at once, every
``problem`` found. Each kind of refusal lists its codes with their message templates — in
English, marked with ``N_`` for the catalogues — and their statuses, next to the code that
raises them; the application words them in the user's language when it shows them
(``contest.core.refusals``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the catalogues; it is translated when shown."""
    return message


@dataclass(frozen=True)
class Problem:
    """One fault of a document or a form: where (a path such as ``trades[0].code``), what
    (a code) and the details."""

    path: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


class Refused(ValueError):
    """An action the rules refuse. Subclasses add their codes' wording (``reasons``) and
    statuses (``statuses``); a code a subclass does not list reads as its base class says."""

    #: Message template of each code (``%(name)s`` placeholders name ``params``).
    reasons: ClassVar[Mapping[str, str]] = {}
    #: HTTP status of each code; any other code is answered with ``default_status``.
    statuses: ClassVar[Mapping[str, int]] = {}
    default_status: ClassVar[int] = 400

    def __init__(self, code: str, /, *, problems: Iterable[Any] = (), **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
        self.problems = list(problems)

    @property
    def status(self) -> int:
        """The HTTP status this refusal is answered with."""
        status: int | None = self._find("statuses", self.code)
        return status if status is not None else self.default_status

    def template(self) -> str | None:
        """The message template of this refusal."""
        return self.reason(self.code)

    def lead(self) -> str | None:
        """A template that puts the message in context (``%(why)s`` is the message), if
        this kind of refusal has one."""
        return None

    @classmethod
    def reason(cls, code: str) -> str | None:
        """The message template of ``code`` (a refusal's own, or one of its problems')."""
        found: str | None = cls._find("reasons", code)
        return found

    @classmethod
    def _find(cls, table: str, code: str) -> Any:
        for kind in cls.__mro__:
            entries = vars(kind).get(table)
            if entries is not None and code in entries:
                return entries[code]
        return None
