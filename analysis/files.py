"""File helpers: atomic writes, safe names and the CSV form of the corpus tables."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd


def current_umask() -> int:
    """Return the process's umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def temp_dir(parent: Path, prefix: str) -> Path:
    """Return a new folder in ``parent`` (to fill, then rename into place) with the mode the umask gives.

    ``tempfile.mkdtemp`` makes folders 0700, which a rename would carry into place.
    """
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    work.chmod(0o777 & ~current_umask())
    return work


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds.

    So no reader ever sees a partial file, and a failure leaves the previous file untouched.
    The file gets the mode the umask gives a new file (0644 under umask 022), not mkstemp's 0600.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write text (UTF-8, ``\\n`` line ends) or bytes to ``path`` atomically."""
    with atomic_path(path) as tmp:
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(content)


def keep_arrays(path: Path, arrays: dict) -> None:
    """Write numpy arrays to ``path`` (.npz) atomically, for a cache; OSError (a read-only folder) propagates."""
    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_atomic(path, buffer.getvalue())


def prune_files(folder: Path, pattern: str, keep: int) -> None:
    """Delete all but the ``keep`` newest files of ``folder`` matching ``pattern``."""
    for old in sorted(folder.glob(pattern), key=lambda f: f.stat().st_mtime, reverse=True)[keep:]:
        old.unlink(missing_ok=True)


def slug(text: str, keep: str = "") -> str:
    """Return a safe id or file name for ``text``: lower-case a-z, 0-9 and ``keep``, other runs as ``-``.

    A text with none of those characters gets ``x`` and a short hash, so it is never empty.
    """
    allowed = "a-z0-9" + re.escape(keep)
    value = re.sub(f"[^{allowed}]+", "-", str(text).strip().lower()).strip("-")
    return value or "x" + hashlib.sha1(str(text).encode()).hexdigest()[:8]


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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every text cell a spreadsheet would run as a formula prefixed by an apostrophe.

    A cell starting with ``= + - @``, tab or carriage return (OWASP's list for CSV injection)
    becomes ``'=1+2``; numbers, and text that reads as a number ("-0.5"), are left as they are.
    A carriage return inside text becomes a newline (the CSV quotes that; a lone CR would split
    the row). Report tables go through this; corpus files keep the raw values.
    """
    result = frame.copy()
    for column in result.columns:
        values = result[column]
        if values.dtype != object and not pd.api.types.is_string_dtype(values):
            continue
        text = values.astype("string")
        risky = text.str.startswith(FORMULA_STARTS).fillna(False) & pd.to_numeric(text, errors="coerce").isna()
        if risky.any():
            values = values.where(~risky, "'" + text)
        returns = text.str.contains("\r", regex=False).fillna(False)
        if returns.any():
            values = values.where(~returns, values.astype("string").str.replace("\r\n", "\n").str.replace("\r", "\n"))
        result[column] = values
    return result
