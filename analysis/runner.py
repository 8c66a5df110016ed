"""Execute the notebooks with papermill into ``reports/<language>/``, all or nothing."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
import papermill
from jupyter_client.manager import AsyncKernelManager
from tqdm import tqdm
from traitlets import CaselessStrEnum

from .errors import FramediffError, ParameterError
from .files import temp_dir
from .params import StudyParams
from .paths import NOTEBOOKS, REPORTS, report_dir, shown
from .report import write_index, write_page


class RunError(FramediffError):
    """A notebook failed; the message names the notebook and the cell."""


ALL = "all"  # the cross-language report: notebooks whose metadata says {"framediff": {"scope": "all"}}


def _scope(path: Path) -> str:
    """Return a notebook's scope: "all" (every language at once) or "language" (one language per run)."""
    import nbformat

    return nbformat.read(path, as_version=4).metadata.get("framediff", {}).get("scope", "language")


def notebooks(names: list[str] | None = None, scope: str | None = None) -> list[Path]:
    """Return the notebooks to run: all of ``notebooks/`` in order, or those named (stem or file).

    Args:
        scope: "language" or "all" keeps the notebooks of that scope (None: every notebook).
    """
    available = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    if scope is not None:
        available = [p for p in available if _scope(p) == scope]
    if not names:
        return available
    by_name = {p.stem: p for p in available} | {p.name: p for p in available}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise RunError(f"unknown notebook(s) {unknown} for {scope or 'any'} scope; "
                       f"choose from: {', '.join(p.stem for p in available)}")
    return [by_name[n] for n in names]


def declared_parameters(path: Path) -> set[str]:
    """Return the names a notebook's ``parameters`` cell declares."""
    return set(papermill.inspect_notebook(str(path)))


class QuietKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels talk over Unix sockets and write their stderr to a file, not the terminal.

    Transport: a report run starts sixty kernels, several at once; over TCP each picks free
    ports and binds them later, so two kernels could pick the same port (``ZMQError: Address
    already in use``, seen in ``make report``). Unix sockets (zmq's ipc) are files in the temporary
    directory under a random name per kernel, so they cannot collide (TCP on Windows, which lacks them).
    ipykernel prints shutdown messages on every start; errors in cells still arrive as messages
    (and fail the run with the notebook, cell and error); the log file is read only when a
    kernel dies without one.
    """

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="tcp" if sys.platform == "win32" else "ipc", config=True)
    log_path = None

    async def start_kernel(self, **kw):  # noqa: D102 (AsyncKernelManager's)
        if self.transport == "ipc":  # socket files of its own (the default prefix, ./kernel-ipc, is shared)
            self.ip = os.path.join(tempfile.gettempdir(), f"framediff-kernel-{uuid.uuid4().hex}")
        handle = open(self.log_path or os.devnull, "ab")  # noqa: SIM115  (closed by the kernel's exit)
        kw.setdefault("stderr", handle)
        try:
            return await super().start_kernel(**kw)
        finally:
            handle.close()


def _kernel_manager(log: Path) -> type:
    """Return a QuietKernelManager subclass writing kernel stderr to ``log``."""
    return type("QuietKernelManagerForRun", (QuietKernelManager,), {"log_path": str(log)})


def _execute_one(path: Path, work: Path, params: dict, target: str) -> str | None:
    """Execute one notebook into ``work`` and write its report page; return a failure message or None.

    The notebook gets the parameters it declares; ``target`` is the report folder as the page names it.
    """
    declared = declared_parameters(path)
    given = {k: v for k, v in params.items() if k in declared}
    log = work / f".{path.stem}.kernel.log"
    try:
        papermill.execute_notebook(str(path), str(work / path.name), parameters=given,
                                   cwd=str(NOTEBOOKS.parent), kernel_name="python3", progress_bar=False,
                                   kernel_manager_class=_kernel_manager(log))
    except papermill.PapermillExecutionError as exc:
        return f"{path.name}: cell {exc.exec_count} failed: {exc.ename}: {exc.evalue}"
    except Exception as exc:  # the kernel died or never started: say so, with what it printed last
        said = [line for line in log.read_text(errors="replace").splitlines()
                if line.strip() and "without encryption" not in line][-3:] if log.exists() else []
        return f"{path.name}: the kernel failed ({type(exc).__name__}: {exc}) {' / '.join(said)}".strip()
    finally:
        log.unlink(missing_ok=True)
    _settle_streams(work / path.name)
    write_page(work / path.name, work, target)
    return None


def _settle_streams(path: Path) -> None:
    """Merge each cell's consecutive printed outputs and keep only what a progress bar's last redraw shows.

    A progress bar redraws its line (``\r``) many times; a notebook keeps every redraw as an
    output, and GitHub shows them all. nbconvert's CoalesceStreamsPreprocessor leaves the final line.
    """
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    notebook = nbformat.read(path, as_version=4)
    CoalesceStreamsPreprocessor().preprocess(notebook, {})
    nbformat.write(notebook, path)


def _worker_setup() -> None:
    """Make a pool worker leave Ctrl-C to the main process, die with it, and keep asyncio's noise off the terminal.

    On Ctrl-C the kernels' cells are interrupted (they share the terminal's process group), so
    each worker's notebook ends with a failure at once; the main process then stops the run.
    """
    import logging
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    if sys.platform.startswith("linux"):  # if the run is killed (-9), its workers go too, not on to more notebooks
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _execute(tasks: list[tuple[str, Path, Path, dict, str]], progress: bool, jobs: int) -> dict[str, str]:
    """Execute (language, notebook, work folder, parameters, target) tasks, ``jobs`` at a time; return failures by language.

    Notebooks are independent (each loads the study itself and writes its own files), so they
    run in parallel processes, across languages too; the results do not depend on the order.
    Larger notebooks start first so the pool ends together.
    """
    languages = list(dict.fromkeys(t[0] for t in tasks))
    bar = tqdm(total=len(tasks), desc=f"notebooks ({', '.join(languages)})", unit="nb", disable=not progress)
    order = sorted(tasks, key=lambda t: (t[0] not in ("en", ALL), t[0] != "ru"))  # the long ones first
    failures: dict[str, str] = {}
    pool = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks))), initializer=_worker_setup)
    try:
        futures = {pool.submit(_execute_one, path, work, params, target): language
                   for language, path, work, params, target in order}
        for future in as_completed(futures):
            bar.update()
            if future.result() and futures[future] not in failures:
                failures[futures[future]] = future.result()
    finally:  # on Ctrl-C: nothing new starts, running notebooks stop (they got the signal too), then the caller cleans up
        bar.close()
        pool.shutdown(wait=True, cancel_futures=True)
    return failures


def _install(work: Path, target: Path) -> None:
    """Move a finished report folder onto ``target``, replacing the old one (two runs never share a folder)."""
    old = temp_dir(target.parent, f".{target.name}-old-")
    try:
        for attempt in range(5):  # another run may install between our two renames: move its report aside too
            if target.exists():
                target.replace(old / f"report-{attempt}")
            try:
                work.rename(target)
                return
            except OSError:
                continue
        raise RunError(f"{target}: another run keeps replacing this report; try again")
    finally:
        shutil.rmtree(old, ignore_errors=True)


def corpus_languages(params: dict | None = None) -> list[str]:
    """Return the languages of the corpus a run's parameters name (the parameters checked first)."""
    from .corpus import load_corpus
    from .paths import resolve

    return sorted(set(load_corpus(resolve(StudyParams.from_mapping(params or {}).corpus_dir)).articles["language"]))


def check_languages(languages: list[str], held: list[str] | None = None) -> None:
    """Refuse, in one line, a language that is not an ISO 639 code (or 'all'), or that ``held`` lacks."""
    for language in languages:
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})?|all", str(language)):
            raise ParameterError(f"language {language!r}: expected an ISO 639 code such as 'en', or 'all'")
    unknown = [code for code in languages if held is not None and code not in (*held, ALL)]
    if unknown:
        raise ParameterError(f"unknown language(s) {', '.join(map(repr, unknown))}; the corpus has: {', '.join(held)}")


def run_many(languages: list[str], params: dict | None = None, names: list[str] | None = None,
             reports: Path = REPORTS, progress: bool = True, jobs: int | None = None) -> list[Path]:
    """Run the notebooks for several languages in one pool; return the report folders written.

    A language is run like :func:`run` runs one; ``"all"`` runs the cross-language notebooks
    into ``<reports>/all``. Each report is all or nothing: the languages whose notebooks all
    succeeded are moved into place, and a RunError then names the first failure (the others'
    previous reports stay untouched).
    """
    check_languages(languages)
    if Path(reports).exists() and not Path(reports).is_dir():
        raise ParameterError(f"{shown(reports)}: exists and is not a folder; choose another --reports")
    if len(languages) > 1 and (params or {}).get("output_dir"):
        raise ParameterError("output_dir names one folder; with several languages use --reports (one folder each)")
    targets = [report_dir(language, StudyParams.from_mapping({**(params or {}), "language": language}).output_dir,
                          reports) for language in languages]
    with contextlib.ExitStack() as locks:
        for target in sorted(set(targets)):  # one run per report folder; sorted, so two runs never deadlock
            locks.enter_context(_lock(target, progress))
        return _run_locked(languages, targets, params, names, progress, jobs)


@contextlib.contextmanager
def _lock(target: Path, progress: bool):
    """Hold the lock of one report folder (``<parent>/.locks/<name>.lock``); say so if another run holds it."""
    from filelock import FileLock, Timeout

    folder = target.parent / ".locks"
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / f"{target.name}.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(f"another run is writing {shown(target)}; waiting", file=sys.stderr, flush=True)
        lock.acquire()
    try:
        for stale in target.parent.glob(f".{target.name}-*"):  # left by a killed run; no run holds them now
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
        yield
    finally:
        lock.release()


def _run_locked(languages: list[str], targets: list[Path], params: dict | None, names: list[str] | None,
                progress: bool, jobs: int | None) -> list[Path]:
    """Run the languages into their report folders (locked by the caller); see :func:`run_many`."""
    prepared, tasks = [], []
    for language, target in zip(languages, targets):
        chosen = notebooks(names, ALL if language == ALL else "language")
        if target.exists() and not target.is_dir():
            raise ParameterError(f"{target}: exists and is not a folder; choose another output_dir")
        target.parent.mkdir(parents=True, exist_ok=True)
        work = temp_dir(target.parent, f".{target.name}-")
        if names and target.is_dir():  # a subset updates the existing report instead of replacing it
            shutil.copytree(target, work, dirs_exist_ok=True)
        prepared.append((language, target, work))
        tasks += [(language, path, work, {**(params or {}), "language": language, "output_dir": str(work)}, shown(target))
                  for path in chosen]
    try:
        failures = _execute(tasks, progress, jobs or (os.cpu_count() or 1) + 1)
        written = []
        for language, target, work in prepared:
            if language not in failures:
                write_index(work, language)
                _install(work, target)
                written.append(target)
    finally:
        for _, _, work in prepared:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        language, message = next(iter(failures.items()))
        raise RunError(message if len(languages) == 1 else f"{language}: {message}")
    return written


def run(language: str = "en", params: dict | None = None, names: list[str] | None = None,
        reports: Path = REPORTS, progress: bool = True, jobs: int | None = None) -> Path:
    """Run the notebooks for one language; return the report folder (``reports/<language>`` or ``output_dir``).

    Parameters are checked against :class:`~analysis.params.StudyParams` before anything runs
    (unknown names and wrong types are refused in one line); each notebook receives the ones
    its ``parameters`` cell declares. Everything is written to a temporary directory first and
    moved into place only when every notebook succeeded, so a failed run leaves the previous
    report untouched. Running a subset (``names``) updates the existing report; running all
    replaces it. ``jobs`` notebooks run at once (default: one per core, plus one to use the time
    kernels spend starting). ``language="all"``
    runs the cross-language notebooks into ``<reports>/all``.
    """
    return run_many([language], params, names, reports, progress, jobs)[0]


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
