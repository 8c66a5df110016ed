"""What the notebooks share: parameter checks, the study corpus, and saving figures and tables."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from .corpus import Corpus, load_corpus
from .files import write_atomic
from .similarity import CopyDetector


class ParameterError(ValueError):
    """A notebook parameter has a value the corpus does not offer; the message lists the choices."""


def project_root() -> Path:
    """Return the repository root above the working directory (or the working directory)."""
    for parent in [Path.cwd(), *Path.cwd().parents]:
        if (parent / "pyproject.toml").is_file() and (parent / "notebooks").is_dir():
            return parent
    return Path.cwd()


def project_path(path: str | Path) -> Path:
    """Return ``path`` as given if absolute or existing, else resolved against the repository root.

    A notebook opened in JupyterLab runs in ``notebooks/``; papermill runs it from the root.
    Both read ``corpus/`` and write ``reports/`` at the root.
    """
    candidate = Path(path)
    if candidate.is_absolute() or candidate.exists():
        return candidate
    return project_root() / candidate


@dataclass
class Study:
    """The corpus a notebook analyses, after parameter checks, language selection and dedupe."""

    full: Corpus
    corpus: Corpus
    language: str
    seed_id: str
    group_by: str
    copies: CopyDetector
    notes: list[str]


def resolve_seed(full: Corpus, seed_id: str, language: str) -> tuple[str, list[str]]:
    """Return the seed to use in ``language``: the given one, or its origin's article in that language."""
    ids = set(full.articles["article_id"])
    if seed_id not in ids:
        raise ParameterError(f"unknown seed_id {seed_id!r}; choose one of: {', '.join(sorted(ids))}")
    rows = full.articles.set_index("article_id")
    if rows.loc[seed_id, "language"] == language:
        return seed_id, []
    origin = rows.loc[seed_id, "origin_id"]
    same = full.articles[(full.articles["origin_id"] == origin) & (full.articles["language"] == language)]
    same = same.assign(copy=same["relation"].ne("original")).sort_values(["copy", "article_id"])  # originals first
    if same.empty:
        choices = sorted(full.articles.loc[full.articles["language"] == language, "article_id"])
        raise ParameterError(f"seed {seed_id!r} is in {rows.loc[seed_id, 'language']!r} and its outlet "
                             f"has no {language!r} article; choose one of: {', '.join(choices)}")
    chosen = same["article_id"].iloc[0]
    return chosen, [f"seed {seed_id!r} is not in {language!r}; using {chosen!r}, the same outlet's {language!r} article"]


def load_study(corpus_dir: str, language: str, seed_id: str, group_by: str = "group",
               dedupe: bool = True, copy_threshold: float = 0.5) -> Study:
    """Return the study corpus; raise ParameterError (one line, listing choices) on a bad parameter."""
    full = load_corpus(project_path(corpus_dir))
    languages = sorted(set(full.articles["language"]))
    if language not in languages:
        raise ParameterError(f"unknown language {language!r}; choose one of: {', '.join(languages)}")
    if group_by not in full.articles.columns:
        raise ParameterError(f"unknown group_by {group_by!r}; choose one of: {', '.join(full.articles.columns)}")
    seed, notes = resolve_seed(full, seed_id, language)
    corpus = full.select(language=language)
    copies = CopyDetector(copy_threshold).fit(corpus)
    if dedupe:
        deduped = copies.dedupe(corpus)
        if seed not in set(deduped.articles["article_id"]):
            keep = set(deduped.articles["article_id"]) | {seed}
            deduped = corpus.select(article_ids=sorted(keep))
        notes.append(f"dedupe: {len(corpus)} {language!r} articles -> {len(deduped)} after removing copies")
        corpus = deduped
    return Study(full, corpus, language, seed, group_by, copies, notes)


def slug(name: str) -> str:
    """Return a file-name-safe version of a figure or table name."""
    return re.sub(r"[^\w.-]+", "-", name.strip()).strip("-").lower()


class Outputs:
    """Save figures and tables of one notebook under ``<output_dir>/figures`` and ``/tables``."""

    def __init__(self, output_dir: str | Path):
        self.root = Path(output_dir) if Path(output_dir).is_absolute() else project_root() / output_dir
        (self.root / "figures").mkdir(parents=True, exist_ok=True)
        (self.root / "tables").mkdir(parents=True, exist_ok=True)

    def figure(self, fig: plt.Figure, name: str) -> Path:
        """Save a figure as PNG (150 dpi) and SVG; return the PNG path."""
        png = self.root / "figures" / f"{slug(name)}.png"
        for suffix, kwargs in ((".png", {"dpi": 150}), (".svg", {"metadata": {"Date": None}})):
            target = png.with_suffix(suffix)
            tmp = target.with_name(f".{target.name}.tmp{suffix}")
            with plt.rc_context({"svg.hashsalt": "framediff"}):  # stable SVG ids: same input, same file
                fig.savefig(tmp, bbox_inches="tight", **kwargs)
            os.replace(tmp, target)
        return png

    def table(self, frame: pd.DataFrame, name: str) -> Path:
        """Save a table as CSV (no index, deterministic float format); return its path."""
        path = self.root / "tables" / f"{slug(name)}.csv"
        write_atomic(path, frame.to_csv(index=False, float_format="%.6g", lineterminator="\n"))
        return path


def with_labels(articles: pd.DataFrame) -> pd.DataFrame:
    """Return articles with a ``label`` column for plots: the site's name, its origin if a copy, unique."""
    site, origin = articles["outlet_name"], articles["origin_name"]
    label = site.where(site == origin, site + " (" + origin + ")")
    repeat = label.groupby(label).cumcount()
    label = label.where(repeat == 0, label + " #" + (repeat + 1).astype(str))
    return articles.assign(label=label)
