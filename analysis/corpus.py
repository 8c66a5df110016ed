"""Load a corpus directory into article metadata and sparse article x term count matrices."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from .counting import matrix_from_maps
from .features import TOKENIZER, dumps, featurize
from .files import write_atomic
from .validate import CheckedCorpus, CorpusError, Problem, check_corpus

KINDS = ("unigrams", "bigrams", "quoted")
OUTLET_FIELDS = ("name", "domain", "country", "ownership", "group")


@dataclass(frozen=True)
class TermCounts:
    """An article x term count matrix (scipy CSR, accepted by scikit-learn) with its labels."""

    matrix: sparse.csr_matrix
    terms: np.ndarray
    article_ids: tuple[str, ...]

    def take(self, rows: np.ndarray) -> TermCounts:
        """Return the counts of the given row positions, dropping terms none of them uses."""
        sub = self.matrix[rows]
        used = np.flatnonzero(sub.getnnz(axis=0))
        ids = tuple(self.article_ids[i] for i in rows)
        return TermCounts(sub[:, used].tocsr(), self.terms[used], ids)

    def to_frame(self) -> pd.DataFrame:
        """Return the counts as a tidy table: article_id, term, count (only non-zero)."""
        coo = self.matrix.tocoo()
        frame = pd.DataFrame({
            "article_id": np.asarray(self.article_ids, dtype=object)[coo.row],
            "term": self.terms[coo.col],
            "count": coo.data,
        })
        return frame.sort_values(["article_id", "term"], ignore_index=True)

    def vocabulary(self) -> dict[str, int]:
        """Return term -> column position, as scikit-learn's ``vocabulary_``."""
        return {term: i for i, term in enumerate(self.terms)}


@dataclass(frozen=True)
class Corpus:
    """Articles of a corpus directory with their joined outlet metadata and ngrams-v1 counts.

    ``articles`` has one row per article. Site columns (``outlet_*``) describe where the text
    was found; origin columns (``origin_*``) whose reporting it reproduces. ``group``,
    ``country`` and ``ownership`` are the origin's: the origin is the unit a study compares.
    """

    root: Path
    articles: pd.DataFrame
    counts: dict[str, TermCounts]
    tokenised: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.articles)

    def __repr__(self) -> str:
        return f"Corpus({str(self.root)!r}, {len(self)} articles)"

    @property
    def unigrams(self) -> TermCounts:
        """Article x unigram counts."""
        return self.counts["unigrams"]

    @property
    def bigrams(self) -> TermCounts:
        """Article x bigram counts."""
        return self.counts["bigrams"]

    @property
    def quoted(self) -> TermCounts:
        """Article x quoted-phrase counts."""
        return self.counts["quoted"]

    def select(self, *, language=None, group=None, relation=None, event=None,
               article_ids=None, **columns) -> Corpus:
        """Return the sub-corpus whose articles match every given filter.

        Each filter takes one value or a list of values; ``event`` matches any of an
        article's ``;``-separated event tags; other keyword arguments filter on any column.
        """
        filters = {"language": language, "group": group, "relation": relation,
                   "article_id": article_ids, **columns}
        keep = np.ones(len(self.articles), dtype=bool)
        for column, wanted in filters.items():
            if wanted is None:
                continue
            if column not in self.articles.columns:
                raise KeyError(f"no column {column!r}; columns: {', '.join(self.articles.columns)}")
            keep &= self.articles[column].isin(_as_list(wanted)).to_numpy()
        if event is not None:
            wanted = set(_as_list(event))
            keep &= self.articles["events"].map(lambda e: bool(wanted & set(e.split(";")))).to_numpy()
        return self.take(np.flatnonzero(keep))

    def take(self, rows: np.ndarray) -> Corpus:
        """Return the sub-corpus of the given row positions."""
        articles = self.articles.iloc[rows].reset_index(drop=True)
        counts = {kind: tc.take(rows) for kind, tc in self.counts.items()}
        return replace(self, articles=articles, counts=counts)


def _as_list(value) -> list:
    return [value] if isinstance(value, str) or not isinstance(value, Iterable) else list(value)


def _cached_features(text: str, article_id: str, cache_dir: Path | None) -> tuple[dict, bool]:
    """Return (features document, whether it was tokenised now) for a text, via the cache."""
    key = hashlib.sha256(f"{TOKENIZER}\n{text}".encode()).hexdigest()
    path = cache_dir / f"{key}.json" if cache_dir is not None else None
    if path is not None and path.is_file():
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {**doc, "article_id": article_id}, False
    doc = featurize(text).to_dict(article_id)
    if path is not None:
        write_atomic(path, dumps(doc))
    return doc, True


def _documents(checked: CheckedCorpus, cache_dir: Path | None,
               fetched: dict[str, str]) -> tuple[dict, list, list[str]]:
    """Return per-article features documents, their provenance and the ids tokenised now."""
    docs, source, tokenised = {}, [], []
    for _, row in checked.articles:
        article_id = row["article_id"]
        if article_id in fetched:
            docs[article_id], fresh = _cached_features(fetched[article_id], article_id, cache_dir)
            source.append("fetched")
            if fresh:
                tokenised.append(article_id)
        elif article_id in checked.texts:
            doc, fresh = _cached_features(checked.texts[article_id], article_id, cache_dir)
            stored = checked.features.get(article_id)
            if stored is not None and any(stored[k] != doc[k] for k in ("n_tokens", *KINDS)):
                checked.problems.append(Problem(
                    f"features/{article_id}.json", None, "counts",
                    f"differ from the ngrams-v1 features of texts/{article_id}.txt"))
            docs[article_id] = doc
            source.append("text")
            if fresh:
                tokenised.append(article_id)
        else:
            docs[article_id] = checked.features.get(article_id)
            source.append("features")
    return docs, source, tokenised


def _articles_frame(checked: CheckedCorpus, docs: dict, source: list) -> pd.DataFrame:
    """Return the articles table joined with site and origin outlet metadata."""
    articles = pd.DataFrame([row for _, row in checked.articles])
    outlets = pd.DataFrame([row for _, row in checked.outlets]).set_index("outlet_id")
    for prefix, key in (("outlet", "outlet_id"), ("origin", "origin_id")):
        for fld in OUTLET_FIELDS:
            articles[f"{prefix}_{fld}"] = articles[key].map(outlets[fld])
    for fld in ("group", "country", "ownership"):
        articles[fld] = articles[f"origin_{fld}"]
    articles["published"] = pd.to_datetime(articles["published"].replace("", None), format="%Y-%m-%d")
    articles["source_chars"] = articles["source_chars"].astype(int)
    articles["truncated"] = articles["truncated"].eq("true")
    articles["n_tokens"] = [docs[a]["n_tokens"] for a in articles["article_id"]]
    articles["counts_from"] = source
    return articles


def _count_matrices(article_ids: list[str], docs: dict) -> dict[str, TermCounts]:
    """Return the article x term count matrices of each kind."""
    counts = {}
    for kind in KINDS:
        matrix, terms = matrix_from_maps([docs[a][kind] for a in article_ids])
        counts[kind] = TermCounts(matrix, terms, tuple(article_ids))
    return counts


def _fetched_texts(root: Path, checked: CheckedCorpus) -> dict[str, str]:
    """Return the non-empty fetched texts in ``<root>/cache/<article_id>.txt`` of known articles."""
    texts = {}
    for _, row in checked.articles:
        path = root / "cache" / f"{row['article_id']}.txt"
        if path.is_file():
            try:
                text = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError as exc:
                checked.problems.append(Problem(f"cache/{path.name}", None, "encoding", f"not UTF-8 (byte {exc.start})"))
                continue
            if text.strip():
                texts[row["article_id"]] = text
    return texts


def load_corpus(path: str | Path = "corpus", *, cache: bool = True, text_source: str = "features") -> Corpus:
    """Return the validated corpus in ``path``; raise :class:`CorpusError` listing every problem.

    Args:
        path: the corpus directory (``outlets.csv``, ``articles.csv``, ``texts/``, ``features/``).
        cache: keep the features of texts in ``<path>/cache/features/`` keyed by a hash of the
            text, so a second load does not re-tokenise.
        text_source: "features" (the corpus as held) or "fetched": articles with a text fetched
            into ``<path>/cache/<article_id>.txt`` (``python -m analysis fetch``) are counted from
            it; the others keep their features. ``articles.counts_from`` says which.
    """
    if text_source not in ("features", "fetched"):
        raise ValueError(f"text_source must be 'features' or 'fetched', not {text_source!r}")
    checked = check_corpus(path)
    if checked.problems:
        raise CorpusError(checked.problems)
    cache_dir = Path(path) / "cache" / "features" if cache else None
    fetched = _fetched_texts(Path(path), checked) if text_source == "fetched" else {}
    docs, source, tokenised = _documents(checked, cache_dir, fetched)
    if checked.problems:
        raise CorpusError(checked.problems)
    articles = _articles_frame(checked, docs, source)
    counts = _count_matrices(list(articles["article_id"]), docs)
    return Corpus(Path(path), articles, counts, tuple(tokenised))


def summary(corpus: Corpus) -> pd.DataFrame:
    """Return articles per origin group x language, with row and column totals."""
    table = pd.crosstab(corpus.articles["group"], corpus.articles["language"],
                        margins=True, margins_name="total")
    return table
