"""The one state-machine helper: a transition table that answers what may follow a state, and refuses the rest.

Every state machine of the platform (a service request, a recruitment application, a handed-down task) is
one ``Transitions`` table: from a state to the states that may follow it, each with an optional tag of who
may make the step (worklist's community side and issuer side).  Actions call ``check``; forms and pages
call ``targets`` to offer only the steps that exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class Transitions(Mapping):
    """``{from_state: {to_state: who}}``; a set of targets means "anyone the caller allows"."""

    def __init__(self, choices, table: Mapping[str, Iterable[str] | Mapping[str, str]]):
        self.choices = choices
        self._table: dict[str, dict[str, str | None]] = {}
        for state, targets in table.items():
            if isinstance(targets, Mapping):
                self._table[state] = dict(targets)
            else:
                self._table[state] = dict.fromkeys(targets)
        unknown = {s for row in self._table.values() for s in row} | set(self._table)
        unknown -= set(choices.values)
        if unknown:
            raise ValueError(f"states not in {choices.__name__}: {sorted(unknown)}")

    # the Mapping protocol: TRANSITIONS[state] is the targets of that state
    def __getitem__(self, state: str) -> dict[str, str | None]:
        return self._table[state]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def targets(self, state: str, who: str | None = None) -> list[str]:
        """The states that may follow ``state`` (made by ``who``, when given), in the choices' order."""
        row = self._table.get(state, {})
        return [s for s in self.choices.values if s in row and (who is None or row[s] == who)]

    def allows(self, state: str, to: str) -> bool:
        return to in self._table.get(state, {})

    def who(self, state: str, to: str) -> str | None:
        return self._table.get(state, {}).get(to)

    def is_final(self, state: str) -> bool:
        return not self._table.get(state)

    def label(self, state: str) -> str:
        return self.choices(state).label if state in self.choices.values else str(state)

    def check(self, state: str, to: str, *, message: str | None = None, field: str | None = None, **params) -> None:
        """Refuse a step the table does not have, naming both states (``message`` may use %(now)s, %(to)s)."""
        if self.allows(state, to):
            return
        text = (message or _("“%(now)s” cannot become “%(to)s”.")) % {
            "now": self.label(state),
            "to": self.label(to),
            **params,
        }
        raise ValidationError({field: text} if field else text, code="transition")
