"""Compare two report folders file by file: are the tables and figures byte-identical?"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

# What a rerun must reproduce exactly; executed notebooks carry timings, so they are left out.
COMPARED = ("tables/*.csv", "figures/*.svg", "figures/*.png")


def _digests(root: Path, patterns) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for pattern in patterns for p in sorted(root.rglob(pattern)) if p.is_file()}


def compare_reports(a: str | Path, b: str | Path, patterns=COMPARED) -> pd.DataFrame:
    """Return one row per file that differs: path, status (differs / only in a / only in b).

    Files are matched by their path below each root (``en/tables/log_odds.csv``); an empty
    result means the two reports are byte-identical in every compared file.
    """
    left, right = _digests(Path(a), patterns), _digests(Path(b), patterns)
    rows = []
    for path in sorted(set(left) | set(right)):
        if path not in right:
            rows.append((path, "only in a"))
        elif path not in left:
            rows.append((path, "only in b"))
        elif left[path] != right[path]:
            rows.append((path, "differs"))
    return pd.DataFrame(rows, columns=["path", "status"])


def count_compared(root: str | Path, patterns=COMPARED) -> int:
    """Return how many files of a report the comparison covers."""
    return len(_digests(Path(root), patterns))
