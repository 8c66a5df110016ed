"""Load a corpus directory into article metadata and sparse article x term count matrices."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from .counting import TermCounts, matrix_from_maps, stack_counts
from .errors import ParameterError
from .files import keep_arrays
from .features import KINDS
from .validate import CheckedCorpus, CorpusError, check_corpus

__all__ = ["Corpus", "CorpusError", "TermCounts", "load_corpus", "summary"]
OUTLET_FIELDS = ("name", "domain", "country", "ownership", "group")


@dataclass(frozen=True)
class Corpus:
    """Articles of a corpus directory with their joined outlet metadata and ngrams-v1 counts.

    ``articles`` has one row per article. Site columns (``outlet_*``) describe where the text
    was found; origin columns (``origin_*``) whose reporting it reproduces. ``group``,
    ``country`` and ``ownership`` are the origin's: the origin is the unit a study compares.
    ``texts`` holds the text each article was counted from (its fetched page or ``texts/`` file);
    articles held only as features have none.
    """

    root: Path
    articles: pd.DataFrame
    counts: dict[str, TermCounts]
    tokenised: tuple[str, ...] = field(default=())
    texts: dict[str, str] = field(default_factory=dict, repr=False)

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
                raise ParameterError(f"no column {column!r}; columns: {', '.join(self.articles.columns)}")
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


def _articles_frame(checked: CheckedCorpus) -> pd.DataFrame:
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
    articles["counts_from"] = [checked.counts_from[a] for a in articles["article_id"]]
    return articles


def _counts_of(checked: CheckedCorpus, ids: list[str]) -> tuple[np.ndarray, dict[str, TermCounts]]:
    """Return (n_tokens, count matrices) of the checked articles: their documents, and the texts counted together."""
    held = [a for a in ids if a in checked.documents]
    n_tokens = dict(zip(held, (checked.documents[a]["n_tokens"] for a in held)))
    counts = _count_matrices(held, checked.documents)
    if checked.counted is not None:
        counted_ids, counted_tokens, counted = checked.counted
        n_tokens |= dict(zip(counted_ids, counted_tokens.tolist()))
        counts = {kind: stack_counts([counts[kind], counted[kind]], ids) for kind in KINDS}
    return np.array([n_tokens[a] for a in ids], dtype=np.int64), counts


def _count_matrices(article_ids: list[str], docs: dict) -> dict[str, TermCounts]:
    """Return the article x term count matrices of each kind."""
    counts = {}
    for kind in KINDS:
        matrix, terms = matrix_from_maps([docs[a][kind] for a in article_ids])
        counts[kind] = TermCounts(matrix, terms, tuple(article_ids))
    return counts


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
    checked = check_corpus(path, cache=cache, text_source=text_source)
    if checked.problems:
        raise CorpusError(checked.problems)
    articles = _articles_frame(checked)
    ids = list(articles["article_id"])
    kept = None
    if checked.cached_counts is not None:
        try:
            kept = read_counts(checked.cached_counts, ids)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # replaced or damaged meanwhile: count again
            checked = check_corpus(path, cache=cache, text_source=text_source, counts_cache=False)
            if checked.problems:
                raise CorpusError(checked.problems) from None
    if kept is not None:
        n_tokens, counts = kept
    else:
        n_tokens, counts = _counts_of(checked, ids)
        checked.documents.clear()  # the per-article maps are the largest thing held; the matrices replace them
        if checked.counts_key:
            write_counts(Path(path) / "cache" / "counts", checked.counts_key, n_tokens, counts)
    articles["n_tokens"] = n_tokens
    texts = {a: checked.fetched.get(a, checked.texts.get(a)) for a in articles["article_id"]
             if checked.counts_from[a] != "features"}
    return Corpus(Path(path), articles, counts, tuple(checked.tokenised), texts)


def write_counts(folder: Path, key: str, n_tokens: np.ndarray, counts: dict[str, TermCounts]) -> None:
    """Keep a corpus's count matrices in ``folder/<key>.npz`` (the only file there), so the next load reads them.

    The key digests every byte the counts depend on (:func:`analysis.validate.counts_key`); a
    corpus that cannot write its cache (a read-only folder) is loaded all the same.
    """
    if any("\n" in t for tc in counts.values() for t in tc.terms):  # a term the file's separator would split
        return
    arrays = {"n_tokens": n_tokens}
    for kind, tc in counts.items():
        m = tc.matrix.tocsr()
        arrays |= {f"{kind}_indptr": m.indptr, f"{kind}_indices": m.indices, f"{kind}_data": m.data,
                   f"{kind}_terms": np.frombuffer("\n".join(map(str, tc.terms)).encode("utf-8"), dtype=np.uint8)}
    try:
        keep_arrays(folder / f"{key}.npz", arrays)
        for old in folder.glob("*.npz"):
            if old.name != f"{key}.npz":
                old.unlink(missing_ok=True)
    except OSError:
        pass


def read_counts(path: Path, article_ids: list[str]) -> tuple[np.ndarray, dict[str, TermCounts]]:
    """Return (n_tokens, count matrices) kept by :func:`write_counts`."""
    with np.load(path, allow_pickle=False) as stored:
        n_tokens = stored["n_tokens"]
        counts = {}
        for kind in KINDS:
            raw = bytes(stored[f"{kind}_terms"]).decode("utf-8")
            terms = np.array(raw.split("\n") if raw else [], dtype=object)
            matrix = sparse.csr_matrix((stored[f"{kind}_data"], stored[f"{kind}_indices"], stored[f"{kind}_indptr"]),
                                       shape=(len(article_ids), len(terms)))
            counts[kind] = TermCounts(matrix, terms, tuple(article_ids))
    return n_tokens, counts


def summary(corpus: Corpus) -> pd.DataFrame:
    """Return articles per origin group x language, with row and column totals."""
    table = pd.crosstab(corpus.articles["group"], corpus.articles["language"],
                        margins=True, margins_name="total")
    return table
