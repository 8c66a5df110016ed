"""Keywords in context: the sentences in which an article uses a term, as written.

Terms are ngrams-v1 words or word pairs (the vocabulary of the counts), so a match is found
with the featuriser's own tokens: "kiev" matches "Kiev" and "Kiev's", "sham referendum" matches
"sham referendum" but not "sham. Referendum". Articles held only as features have no sentences:
they get one row saying so, with the count and the URL to read.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from .corpus import Corpus
from .features import BOUNDARY_CHARS, item_spans, normalise, sentences

COLUMNS = ["term", "article_id", "group", "left", "match", "right", "count", "source", "url"]


def _token_spans(sentence: str) -> tuple[str, list[tuple[str, int, int]]]:
    """Return the sentence to show and its ngrams-v1 items with spans in it (boundaries included).

    Spans are positions in the normalised text; the sentence is shown as written when
    normalising keeps its length (nearly always), else in NFKC form, else lower-cased.
    """
    lowered = normalise(sentence)
    if len(lowered) == len(sentence):
        shown = sentence
    else:
        nfkc = unicodedata.normalize("NFKC", sentence)
        shown = nfkc if len(nfkc) == len(lowered) else lowered
    return shown, item_spans(lowered)


def term_in_sentence(term: str, sentence: str, window: int = 60) -> list[tuple[str, str, str]]:
    """Return (left, match, right) for each use of ``term`` in ``sentence``, the match as written.

    ``left`` and ``right`` are at most ``window`` characters of the same sentence, cut at a
    space and marked "…" where the sentence goes on.
    """
    wanted = term.split(" ")
    shown, found = _token_spans(sentence)
    hits = []
    for i in range(len(found) - len(wanted) + 1):
        window_items = found[i:i + len(wanted)]
        if [w for w, _, _ in window_items] != wanted or any(w[0] in BOUNDARY_CHARS for w, _, _ in window_items):
            continue
        start, end = window_items[0][1], window_items[-1][2]
        hits.append((_clip(shown[:start], window, left=True), shown[start:end], _clip(shown[end:], window, left=False)))
    return hits


def _clip(context: str, window: int, left: bool) -> str:
    """Return at most ``window`` characters of context next to the match, cut at a space and marked "…"."""
    if len(context) <= window:
        return context
    part = context[-window:] if left else context[:window]
    cut = part.find(" ") if left else part.rfind(" ")
    if cut > 0:
        part = part[cut + 1:] if left else part[:cut]
    return "…" + part if left else part + "…"


def _counts_of(corpus: Corpus, term: str) -> np.ndarray:
    """Return each article's count of a word or word pair (zeros if not in the vocabulary)."""
    counts = corpus.bigrams if " " in term else corpus.unigrams
    position = np.searchsorted(counts.terms, term)
    if position < len(counts.terms) and counts.terms[position] == term:
        return np.asarray(counts.matrix[:, position].todense()).ravel()
    return np.zeros(len(corpus), dtype=np.int64)


def keywords_in_context(corpus: Corpus, terms, group_by: str = "group", article_ids=None,
                        window: int = 60, max_articles: int | None = 50) -> pd.DataFrame:
    """Return one row per use of each term in each article that uses it (columns :data:`COLUMNS`).

    Args:
        corpus: the articles; those with a text give one row per use, in text order.
        terms: words or word pairs as the counts spell them (lower case, folded).
        group_by: the articles column reported as ``group``.
        article_ids: restrict to these articles (default: every article that uses the term).
        window: characters of context on each side, within the sentence.
        max_articles: per term, the articles that use it most (ties in corpus order), at most
            this many; None for all. A concordance is read, not counted: the counts are in the
            other tables.

    Returns:
        ``source`` is "text" for rows from a text, or "features only" for an article without
        text: then ``left``/``match``/``right`` are empty and ``count`` and ``url`` say where
        to read it. ``count`` is the article's count of the term.
    """
    articles = corpus.articles
    chosen = np.ones(len(articles), dtype=bool) if article_ids is None else articles["article_id"].isin(set(article_ids)).to_numpy()
    rows = []
    for term in dict.fromkeys(terms):
        counts = _counts_of(corpus, term)
        using = np.flatnonzero((counts > 0) & chosen)
        if max_articles is not None and len(using) > max_articles:
            using = np.sort(using[np.argsort(-counts[using], kind="stable")[:max_articles]])
        for position in using:
            article = articles.iloc[position]
            base = [term, article["article_id"], article[group_by]]
            tail = [int(counts[position]), "text", article["url"]]
            text = corpus.texts.get(article["article_id"])
            if text is None:
                rows.append([*base, "", "", "", tail[0], "features only", tail[2]])
                continue
            for sentence in sentences(text):
                rows += [[*base, *hit, *tail] for hit in term_in_sentence(term, sentence, window)]
    return pd.DataFrame(rows, columns=COLUMNS)


def _surface(table: pd.DataFrame) -> list[str]:
    """Return the surface forms to look for: each term's ``forms`` (when lemmas pooled them), else the term."""
    if "forms" not in table:
        return list(table["term"])
    found = [form.rsplit(" ", 1)[0] for forms in table["forms"] for form in str(forms).split(", ")]
    return list(dict.fromkeys(found))


def study_contexts(corpus: Corpus, seed_table: pd.DataFrame | None, log_odds: pd.DataFrame | None,
                   group_by: str = "group", n_terms: int = 5, window: int = 60) -> pd.DataFrame:
    """Return the contexts notebook 2 shows: the seed's top terms, and each group's top log-odds terms in its articles.

    A ``selected_by`` column says why a row is there ("seed" or "log-odds: <group>"). A table
    that is None (no seed, or fewer than two groups) contributes nothing.
    """
    seed_table = seed_table if seed_table is not None else pd.DataFrame(columns=["direction", "term"])
    log_odds = log_odds if log_odds is not None else pd.DataFrame(columns=["comparison", "term", "z"])
    seed_terms = _surface(seed_table[seed_table["direction"] == "seed"].head(n_terms))
    frames = [keywords_in_context(corpus, seed_terms, group_by, window=window).assign(selected_by="seed")]
    for comparison, rows in log_odds.groupby("comparison", sort=True):
        terms = _surface(rows[rows["z"] > 0].sort_values(["z", "term"], ascending=[False, True]).head(n_terms))
        members = corpus.articles.loc[corpus.articles[group_by].astype(str) == str(comparison), "article_id"]
        found = keywords_in_context(corpus, terms, group_by, article_ids=members, window=window)
        frames.append(found.assign(selected_by=f"log-odds: {comparison}"))
    return pd.concat(frames, ignore_index=True)[["selected_by", *COLUMNS]]
