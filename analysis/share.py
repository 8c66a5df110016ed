"""Share a corpus without its text: a copy with every text replaced by its ngrams-v1 features."""

from __future__ import annotations

import shutil
from pathlib import Path

from . import schema
from .corpus import load_corpus
from .features import dumps, featurize
from .errors import ParameterError
from .files import csv_text, read_rows, temp_dir, write_atomic
from .paths import RESOURCE_KINDS

def export_features(source: str | Path, into: str | Path) -> Path:
    """Write a features-only copy of the corpus ``source`` to ``into``; return ``into``.

    Every article held as text becomes ``features/<article_id>.json`` (its ``text_form`` becomes
    ``features``); features files and the analysis data (lexicons, context, stop-word exceptions)
    are copied unchanged. ``into`` must not exist yet; it appears only when complete.
    """
    source, into = Path(source), Path(into)
    if into.exists():
        raise ParameterError(f"{into}: already exists; choose a new directory for the export")
    if into.resolve().is_relative_to(source.resolve()):
        raise ParameterError(f"{into}: is inside the corpus {source}; export to a folder outside it")
    corpus = load_corpus(source)  # refuses a corpus with problems, listing them all
    texts = set(corpus.articles.loc[corpus.articles["counts_from"] == "text", "article_id"])
    into.parent.mkdir(parents=True, exist_ok=True)
    work = temp_dir(into.parent, f".{into.name}-")
    try:
        shutil.copytree(source / "features", work / "features", dirs_exist_ok=True)
        for article_id in sorted(texts):
            text = (source / "texts" / f"{article_id}.txt").read_text(encoding="utf-8")
            write_atomic(work / "features" / f"{article_id}.json", dumps(featurize(text).to_dict(article_id)))
        shutil.copy2(source / "outlets.csv", work / "outlets.csv")
        write_atomic(work / "articles.csv", _articles_csv(source / "articles.csv", texts))
        for name in RESOURCE_KINDS:
            if (source / name).is_dir():
                shutil.copytree(source / name, work / name)
        (work / "texts").mkdir()
        work.rename(into)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return into


def _articles_csv(path: Path, texts: set[str]) -> str:
    """Return articles.csv with ``text_form`` set to ``features`` for the exported texts."""
    rows = read_rows(path)
    for row in rows:
        if row["article_id"] in texts:
            row["text_form"] = "features"
    return csv_text(rows, schema.ARTICLE_COLUMNS)
