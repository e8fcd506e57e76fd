"""Why a file or a row could not be loaded, in words an agency and an engineer both understand."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Problem:
    """One reason, machine-readable (code, row, column) and human-readable (Indonesian and English)."""

    code: str
    message_id: str
    message_en: str
    row: int | None = None
    column: str | None = None
    expected: str | None = None
    found: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column!r}" if self.column else "",
            )
            if part
        )
        detail = f" (expected {self.expected}; found {self.found!r})" if self.expected else ""
        return f"[{self.code}]{' ' + where if where else ''}: {self.message_en}{detail}"


class FileRejected(Exception):
    """The whole file cannot be loaded; it goes to quarantine with this problem as its reason."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def file_problem(code: str, message_id: str, message_en: str, **where) -> FileRejected:
    return FileRejected(Problem(code=code, message_id=message_id, message_en=message_en, **where))
