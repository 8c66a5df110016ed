"""Where things are: the repository root, the embedded corpus and its analysis resources.

Every module and test takes paths from here, so the root is found one way only: the directory
above this package (an editable install, as ``make`` sets up, keeps it there). Relative paths a
user gives (``corpus``, ``reports/en``) resolve against the working directory when they exist
there, else against the root, so a notebook runs alike from the root (papermill) and from
``notebooks/`` (JupyterLab).
"""

from __future__ import annotations

from pathlib import Path

from .errors import ParameterError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
EMBEDDED_CORPUS = ROOT / "corpus"

# Analysis resources a corpus may carry; the embedded corpus's are used where it has none.
RESOURCE_KINDS = ("lexicons", "context", "stopwords")


def resolve(path: str | Path) -> Path:
    """Return ``path`` as given if absolute or existing, else resolved against the repository root."""
    candidate = Path(path)
    if candidate.is_absolute() or candidate.exists():
        return candidate
    return ROOT / candidate


def resource(corpus_dir: str | Path, kind: str, name: str) -> tuple[Path | None, bool]:
    """Return (the file ``<corpus_dir>/<kind>/<name>`` or the embedded one, whether it is embedded).

    The corpus's own file wins; else the embedded corpus's; else ``(None, False)``.
    """
    if kind not in RESOURCE_KINDS:
        raise ParameterError(f"kind must be one of {', '.join(RESOURCE_KINDS)}; got {kind!r}")
    own = Path(corpus_dir) / kind / name
    if own.is_file():
        return own, False
    embedded = EMBEDDED_CORPUS / kind / name
    return (embedded, True) if embedded.is_file() else (None, False)


def report_dir(language: str, output_dir: str | Path = "", reports: str | Path = REPORTS) -> Path:
    """Return where a study's outputs go: ``output_dir`` if given (resolved), else ``<reports>/<language>``."""
    return resolve(output_dir) if str(output_dir) else Path(reports) / language


def shown(path: str | Path) -> str:
    """Return a path as a report names it: relative to the repository root when inside it."""
    absolute = Path(path).resolve()
    return absolute.relative_to(ROOT).as_posix() if absolute.is_relative_to(ROOT) else absolute.as_posix()
