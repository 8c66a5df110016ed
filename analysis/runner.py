"""Execute the notebooks with papermill into ``reports/<language>/``, all or nothing."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import papermill
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


class RunError(RuntimeError):
    """A notebook failed; the message names the notebook and the cell."""


def notebooks(names: list[str] | None = None) -> list[Path]:
    """Return the notebooks to run: all of ``notebooks/`` in order, or those named (stem or file)."""
    available = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    if not names:
        return available
    by_name = {p.stem: p for p in available} | {p.name: p for p in available}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise RunError(f"unknown notebook(s) {unknown}; choose from: {', '.join(p.stem for p in available)}")
    return [by_name[n] for n in names]


def _index(target: Path, language: str, executed: list[Path]) -> str:
    lines = [f"# framediff report: {language}", "", "## Notebooks (executed)", ""]
    lines += [f"- [{p.stem}]({p.name})" for p in executed]
    for kind, pattern in (("Figures", "figures/*.png"), ("Tables", "tables/*.csv")):
        lines += ["", f"## {kind}", ""]
        lines += [f"- [{p.stem}]({p.relative_to(target).as_posix()})" for p in sorted(target.glob(pattern))]
    return "\n".join(lines) + "\n"


def run(language: str = "en", params: dict | None = None, names: list[str] | None = None,
        reports: Path = ROOT / "reports", progress: bool = True) -> Path:
    """Run the notebooks for one language; return ``reports/<language>``.

    Everything is written to a temporary directory first and moved into place only when every
    notebook succeeded, so a failed run leaves the previous report untouched. Running a subset
    (``names``) updates the existing report; running all replaces it.
    """
    chosen = notebooks(names)
    reports.mkdir(parents=True, exist_ok=True)
    target = reports / language
    work = Path(tempfile.mkdtemp(prefix=f".{language}-", dir=reports))
    if names and target.is_dir():  # a subset updates the existing report instead of replacing it
        shutil.copytree(target, work, dirs_exist_ok=True)
    try:
        parameters = {**(params or {}), "language": language, "output_dir": str(work)}
        for path in tqdm(chosen, desc=f"notebooks ({language})", unit="nb", disable=not progress):
            try:
                papermill.execute_notebook(str(path), str(work / path.name), parameters=parameters,
                                           cwd=str(ROOT), kernel_name="python3", progress_bar=False)
            except papermill.PapermillExecutionError as exc:
                raise RunError(f"{path.name}: cell {exc.exec_count} failed: {exc.ename}: {exc.evalue}") from None
        executed = sorted(work.glob("[0-9][0-9]-*.ipynb"))
        (work / "index.md").write_text(_index(work, language, executed), encoding="utf-8")
        old = reports / f".{language}-old"
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        work.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def parse_params(pairs: list[str]) -> dict:
    """Return KEY=VALUE pairs as a dict, values read as YAML literals (1, 0.5, true, text)."""
    import yaml

    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise RunError(f"--param {pair!r}: expected KEY=VALUE")
        result[key] = yaml.safe_load(value) if value else ""
    return result
