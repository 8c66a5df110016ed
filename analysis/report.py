"""The report a run leaves: executed notebooks made machine-independent, an offline HTML page per
notebook (nbconvert, figures embedded, code hidden, findings on top) and an index (HTML and Markdown).
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

import mistune
import nbformat
from nbconvert import HTMLExporter

from .files import write_atomic
from .paths import shown

_NO_ALT = re.compile(r'alt="No description has been provided for this image"')
_STYLE = """body{font:15px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
.findings{background:#f6f8fa;border-left:4px solid #4c72b0;padding:.2rem 1rem;margin:.8rem 0}
.figures{display:flex;flex-wrap:wrap;gap:1rem}.figures figure{margin:0;width:22rem}
.figures img{width:100%;border:1px solid #ddd}figcaption{font-size:.85rem;color:#555}
ul.tables{columns:3}"""


def finalise(path: Path, work: Path, target: str) -> None:
    """Rewrite an executed notebook so it names no temporary or absolute path.

    papermill records the input and output paths and the injected ``output_dir`` (the run's
    temporary folder); they become the notebook's path below the repository, the report folder
    and ``target``, so the same run on another machine gives the same notebook apart from timings.
    """
    nb = nbformat.read(path, as_version=4)
    meta = nb.metadata.get("papermill", {})
    meta["input_path"] = f"notebooks/{path.name}"
    meta["output_path"] = f"{target}/{path.name}"
    if "output_dir" in meta.get("parameters", {}):
        meta["parameters"]["output_dir"] = target
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            for form in (str(work), shown(work)):
                cell.source = cell.source.replace(f'"{form}"', f'"{target}"').replace(f"'{form}'", f'"{target}"')
    write_atomic(path, nbformat.writes(nb) + "\n")


def findings(nb: nbformat.NotebookNode) -> list[str]:
    """Return the findings texts (Markdown) a notebook displayed, in order."""
    return [output["data"]["text/markdown"]
            for cell in nb.cells if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if output.get("metadata", {}).get("framediff", {}).get("finding") and "text/markdown" in output.get("data", {})]


def _figures(nb: nbformat.NotebookNode) -> list[str]:
    """Return the file names of the figures a notebook displayed, in order."""
    return [o["metadata"]["framediff"]["figure"] for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("metadata", {}).get("framediff", {}).get("figure")]


def notebook_html(path: Path) -> str:
    """Return an executed notebook as one offline HTML page: figures embedded, code hidden, findings first."""
    nb = nbformat.read(path, as_version=4)
    found = findings(nb)
    if found:
        summary = "\n\n".join(["## Findings", *found, f"*Code: [{path.name}]({path.name}) (open in JupyterLab).*"])
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(summary))
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    quiet = logging.getLogger("traitlets")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # nbconvert warns of images without alt text; they get one below
    try:
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    finally:
        quiet.setLevel(level)
    names = iter(_figures(nb))
    return _NO_ALT.sub(lambda m: f'alt="{html.escape(Path(next(names, "figure")).stem)}"', body)


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    line = first.strip().splitlines()[0] if first.strip() else ""
    return line.lstrip("# ").strip() or fallback


def index_html(target: Path, language: str, executed: list[Path]) -> str:
    """Return the report's index page: per notebook its title, links, findings and figures."""
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>framediff report: {language}</title>"
             f"<style>{_STYLE}</style></head><body><h1>framediff report: {html.escape(language)}</h1>"]
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        parts.append(f"<h2>{html.escape(_title(nb, path.stem))}</h2><p><a href='{path.stem}.html'>read the notebook</a>"
                     f" · <a href='{path.name}'>{path.name}</a> (code)</p>")
        parts += [f"<div class='findings'>{mistune.html(text)}</div>" for text in findings(nb)]
        figures = _figures(nb)
        if figures:
            parts.append("<div class='figures'>" + "".join(
                f"<figure><a href='figures/{f}'><img src='figures/{f}' alt='{html.escape(f)}'></a>"
                f"<figcaption>{html.escape(f)} · <a href='figures/{Path(f).stem}.svg'>SVG</a></figcaption></figure>"
                for f in figures) + "</div>")
    tables = sorted(target.glob("tables/*.csv"))
    parts.append("<h2>Tables</h2><ul class='tables'>" + "".join(
        f"<li><a href='tables/{t.name}'>{t.name}</a></li>" for t in tables) + "</ul></body></html>")
    return "\n".join(parts) + "\n"


def index_md(target: Path, language: str, executed: list[Path]) -> str:
    """Return the report's index as Markdown: notebooks, figures and tables."""
    lines = [f"# framediff report: {language}", "", "## Notebooks (executed)", ""]
    lines += [f"- [{p.stem}]({p.name}) · [HTML]({p.stem}.html)" for p in executed]
    for kind, pattern in (("Figures", "figures/*.png"), ("Tables", "tables/*.csv")):
        lines += ["", f"## {kind}", ""]
        lines += [f"- [{p.stem}]({p.relative_to(target).as_posix()})" for p in sorted(target.glob(pattern))]
    return "\n".join(lines) + "\n"


def write_page(path: Path, work: Path, target: str) -> None:
    """Finalise one executed notebook in ``work`` (see :func:`finalise`) and write its HTML page beside it."""
    finalise(path, work, target)
    write_atomic(path.with_suffix(".html"), notebook_html(path))


def write_index(work: Path, language: str) -> None:
    """Write a report folder's ``index.html`` and ``index.md`` from its executed notebooks."""
    executed = sorted(work.glob("[0-9][0-9]-*.ipynb"))
    write_atomic(work / "index.html", index_html(work, language, executed))
    write_atomic(work / "index.md", index_md(work, language, executed))


def write_overview(reports: Path) -> Path:
    """Write ``<reports>/index.html`` and ``index.md`` linking every report folder there (each language, "all")."""
    folders = sorted(p.parent for p in Path(reports).glob("*/index.html"))
    folders.sort(key=lambda p: (p.name == "all", p.name))
    rows = []
    for folder in folders:
        n_figures = len(list(folder.glob("figures/*.png")))
        n_tables = len(list(folder.glob("tables/*.csv")))
        headlines = folder / "tables" / "headlines.csv"
        n = sum(1 for _ in headlines.open(encoding="utf-8")) - 1 if headlines.is_file() else None
        what = ("every language: naming, context and outlets across languages" if folder.name == "all"
                else "notebooks 1–5" + (f" · {n} article{'s' * (n != 1)} compared (after dedupe)" if n is not None else ""))
        rows.append((folder.name, what, n_figures, n_tables))
    html_rows = "".join(f"<tr><td><a href='{html.escape(n)}/index.html'>{html.escape(n)}</a></td><td>{html.escape(w)}</td>"
                        f"<td>{f}</td><td>{t}</td></tr>" for n, w, f, t in rows)
    page = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>framediff reports</title>"
            f"<style>{_STYLE} td,th{{padding:.2rem .8rem;text-align:left}}</style></head><body><h1>framediff reports</h1>"
            f"<table><tr><th>report</th><th>covers</th><th>figures</th><th>tables</th></tr>{html_rows}</table></body></html>\n")
    lines = ["# framediff reports", "", "| report | covers | figures | tables |", "|---|---|---|---|"]
    lines += [f"| [{n}]({n}/index.md) | {w} | {f} | {t} |" for n, w, f, t in rows]
    write_atomic(Path(reports) / "index.html", page)
    write_atomic(Path(reports) / "index.md", "\n".join(lines) + "\n")
    return Path(reports) / "index.html"
