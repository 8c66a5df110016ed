"""Execute the notebooks with papermill into ``reports/<language>/``, all or nothing."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import papermill
from tqdm import tqdm

from .errors import FramediffError, ParameterError
from .files import temp_dir
from .params import StudyParams
from .paths import NOTEBOOKS, REPORTS, report_dir, shown
from .report import write_report


class RunError(FramediffError):
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


def declared_parameters(path: Path) -> set[str]:
    """Return the names a notebook's ``parameters`` cell declares."""
    return set(papermill.inspect_notebook(str(path)))


def _execute_one(path: Path, work: Path, params: dict) -> str | None:
    """Execute one notebook into ``work`` with the parameters it declares; return a failure message or None."""
    declared = declared_parameters(path)
    given = {k: v for k, v in params.items() if k in declared}
    try:
        papermill.execute_notebook(str(path), str(work / path.name), parameters=given,
                                   cwd=str(NOTEBOOKS.parent), kernel_name="python3", progress_bar=False)
    except papermill.PapermillExecutionError as exc:
        return f"{path.name}: cell {exc.exec_count} failed: {exc.ename}: {exc.evalue}"
    return None


def _execute(chosen: list[Path], work: Path, params: dict, progress: bool, jobs: int) -> None:
    """Execute the notebooks, ``jobs`` at a time; raise RunError naming the first failed notebook and cell.

    Notebooks are independent (each loads the study itself and writes its own files), so they
    run in parallel processes; the results do not depend on the order.
    """
    bar = tqdm(total=len(chosen), desc=f"notebooks ({params['language']})", unit="nb", disable=not progress)
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(chosen)))) as pool:
        futures = {pool.submit(_execute_one, path, work, params): path for path in chosen}
        for future in as_completed(futures):
            bar.update()
        bar.close()
    failures = [f.result() for f in futures if f.result()]
    if failures:
        raise RunError(failures[0])


def run(language: str = "en", params: dict | None = None, names: list[str] | None = None,
        reports: Path = REPORTS, progress: bool = True, jobs: int | None = None) -> Path:
    """Run the notebooks for one language; return the report folder (``reports/<language>`` or ``output_dir``).

    Parameters are checked against :class:`~analysis.params.StudyParams` before anything runs
    (unknown names and wrong types are refused in one line); each notebook receives the ones
    its ``parameters`` cell declares. Everything is written to a temporary directory first and
    moved into place only when every notebook succeeded, so a failed run leaves the previous
    report untouched. Running a subset (``names``) updates the existing report; running all
    replaces it. ``jobs`` notebooks run at once (default: one per core).
    """
    checked = StudyParams.from_mapping({**(params or {}), "language": language})
    chosen = notebooks(names)
    target = report_dir(language, checked.output_dir, reports)
    if target.exists() and not target.is_dir():
        raise ParameterError(f"{target}: exists and is not a folder; choose another output_dir")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = temp_dir(target.parent, f".{target.name}-")
    if names and target.is_dir():  # a subset updates the existing report instead of replacing it
        shutil.copytree(target, work, dirs_exist_ok=True)
    try:
        _execute(chosen, work, {**(params or {}), "language": language, "output_dir": str(work)}, progress,
                 jobs or os.cpu_count() or 1)
        write_report(work, language, shown(target))
        old = target.parent / f".{target.name}-old"
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
            raise ParameterError(f"--param {pair!r}: expected KEY=VALUE")
        result[key] = yaml.safe_load(value) if value else ""
    return result
