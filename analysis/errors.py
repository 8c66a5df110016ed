"""One error family: every mistake a user can make raises a :class:`FramediffError`.

The command line catches the base class and prints its message as one line (exit 1), so a user
mistake never shows a traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class FramediffError(Exception):
    """Base of every error whose message is meant for the user."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is (file, row) and what is wrong with which field."""

    file: str
    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        return f"{where}: {self.field}: {self.message}"


class ProblemsError(FramediffError):
    """An input had problems; ``problems`` lists every one (never just the first)."""

    what = "problem(s)"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} {self.what}:\n{lines}")


class ParameterError(FramediffError, ValueError):
    """A study parameter or argument has a value the corpus does not offer; the message lists the choices."""
