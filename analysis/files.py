"""File helpers: atomic writes and the CSV form of the corpus tables."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, content: str) -> None:
    """Write text to ``path`` via a temporary file and rename, so no partial file is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_rows(path: Path) -> list[dict]:
    """Return the rows of a UTF-8 CSV file as dicts (none if the file does not exist)."""
    if not Path(path).is_file():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def csv_text(rows: list[dict], columns) -> str:
    """Return rows as CSV text with the given header (``\\n`` line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
