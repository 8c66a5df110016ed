"""The framing vocabulary: unigrams + bigrams, stop words filtered per language, TF-IDF weighted.

Stop-word lists come from the ``stop-words`` package, which covers 33 languages including
Russian and Ukrainian (stopwordsiso's Russian list, by contrast, holds "война" and "россия").
Serbian and Bosnian have no list in either package: they take stopwordsiso's Croatian list.
Terms of the naming lexicons, context items and ``corpus/stopwords/keep.yaml`` are never
filtered, and list entries containing a digit are ignored (numbers are handled by ``numbers``).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from scipy import sparse

from .corpus import Corpus
from .errors import ParameterError
from .lemmas import pool_by_lemma, use_lemmas

# Languages the stop-words package lacks, mapped to a close relative in stopwordsiso.
STOPWORDSISO_FALLBACK = {"sr": "hr", "bs": "hr", "hr": "hr"}
_NUMBER = re.compile(r"\d[\d.,]*")


@lru_cache(maxsize=None)
def stop_words_for(language: str) -> frozenset[str]:
    """Return the stop-word list framediff uses for a language (empty if none is known)."""
    import stop_words

    if language in stop_words.LANGUAGE_MAPPING:
        words = stop_words.get_stop_words(language)
    elif language in STOPWORDSISO_FALLBACK:
        import stopwordsiso

        words = stopwordsiso.stopwords(STOPWORDSISO_FALLBACK[language])
    else:
        words = ()
    return frozenset(w for w in words if not any(ch.isdigit() for ch in w))


def _joined(patterns: list[re.Pattern]):
    """Return the fullmatch of one regex matching what any of the patterns matches (None if none)."""
    if not patterns:
        return None
    flags = {p.flags for p in patterns}
    if len(flags) > 1:  # cannot share one set of flags: try them one by one
        return lambda term: next((m for p in patterns if (m := p.fullmatch(term))), None)
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), flags.pop()).fullmatch


class FramingVectorizer:
    """Unigram + bigram TF-IDF weights of a corpus, stop words filtered per language.

    Args:
        min_df: keep terms used by at least this many articles (int) or share of them (float).
            The default 1 keeps the words of a one-article outlet.
        numbers: keep number tokens ("700", "2014") and pairs containing them.
        stop_words: "auto" (the lists of the corpus's languages), None, or a set of words.
        extra_stop_words: words added to the "auto" lists (a study passes ``stopwords/add.yaml``'s,
            :func:`analysis.lexicon.added_stop_words`); ignored when ``stop_words`` is not "auto".
        protect: compiled patterns of terms never to filter, or None. A study passes the
            lexicon, context and keep.yaml terms (:func:`analysis.lexicon.protected_patterns`,
            or ``load_study(...).protect``); this class reads no files.
        dtype: float type of ``tfidf_``; np.float32 halves its memory for large corpora
            (weights then agree with float64 to about 1e-7).
        lemmas: pool inflected forms by lemma (simplemma) after stop-word filtering: "auto"
            (for one inflected language: ru, uk, pl, sr, bs, tr, de, …), True (any one
            language) or False. Terms are then lemmas, and ``forms_`` lists their surface forms.

    Attributes:
        terms_: kept terms, unigrams then bigrams, each sorted.
        counts_: article x term raw counts (CSR).
        tfidf_: article x term TF-IDF (sublinear tf, smooth idf, l2 norm; scikit-learn).
        stop_words_: the stop words applied.
        article_ids_: row labels.
        lemmatised_: the language whose lemmas the terms are, or None (surface forms).
        forms_: term -> its most frequent surface forms with counts ("оккупанты 8, оккупантам 1").
    """

    def __init__(self, min_df: int | float = 1, numbers: bool = True, stop_words="auto", protect=None,
                 dtype=np.float64, lemmas: bool | str = False, extra_stop_words=()):
        self.min_df = min_df
        self.numbers = numbers
        self.stop_words = stop_words
        self.extra_stop_words = extra_stop_words
        self.protect = protect
        self.dtype = dtype
        self.lemmas = lemmas

    def _stop_words(self, corpus: Corpus) -> frozenset[str]:
        if self.stop_words == "auto":
            languages = sorted(set(corpus.articles["language"]))
            return frozenset().union(*(stop_words_for(lang) for lang in languages), self.extra_stop_words)
        return frozenset(self.stop_words or ())


    def _keep_mask(self, terms: np.ndarray, stop: frozenset, protected: list) -> np.ndarray:
        """Return which terms survive stop-word and number filtering.

        A term is dropped when its first or last word is a stop word (or, with
        ``numbers=False``, when a word is a number), unless a protected pattern matches it
        whole. The patterns are joined into one regular expression and tried only on the
        terms that would be dropped, which keeps this linear and cheap for millions of terms.
        """
        shield = _joined(protected)
        number = _NUMBER.fullmatch

        def dropped(term: str) -> bool:
            words = term.split(" ")
            if words[0] in stop or words[-1] in stop:
                return True
            return not self.numbers and any(number(w) for w in words)

        return np.fromiter((not dropped(t) or (shield is not None and shield(t) is not None) for t in terms),
                           dtype=bool, count=len(terms))

    def fit(self, corpus: Corpus) -> FramingVectorizer:
        """Learn the vocabulary and TF-IDF weights of ``corpus``; return self."""
        if len(corpus) == 0:
            raise ParameterError("the corpus is empty: nothing to weight (check the selection)")
        self.stop_words_ = self._stop_words(corpus)
        protected = list(self.protect or [])
        blocks, terms = [], []
        for kind in ("unigrams", "bigrams"):
            tc = corpus.counts[kind]
            cols = np.flatnonzero(self._keep_mask(tc.terms, self.stop_words_, protected))
            blocks.append(tc.matrix[:, cols] if len(cols) < len(tc.terms) else tc.matrix)
            terms.append(tc.terms[cols])
        counts = sparse.hstack(blocks, format="csr")
        del blocks
        terms = np.concatenate(terms)
        self.lemmatised_ = use_lemmas(self.lemmas, sorted(set(corpus.articles["language"])))
        if self.lemmatised_:
            counts, terms, self.forms_ = pool_by_lemma(counts, terms, self.lemmatised_)
        else:
            totals = np.asarray(counts.sum(axis=0)).ravel()
            self.forms_ = {t: f"{t} {int(n)}" for t, n in zip(terms, totals)}
        df = counts.getnnz(axis=0)
        threshold = self.min_df if isinstance(self.min_df, int) else np.ceil(self.min_df * len(corpus))
        cols = np.flatnonzero(df >= threshold)
        if not len(cols):
            raise ParameterError(f"no term is used by min_df={self.min_df} articles; lower min_df")
        self.counts_ = counts[:, cols].tocsr() if len(cols) < counts.shape[1] else counts
        self.terms_ = terms[cols]
        self.article_ids_ = tuple(corpus.articles["article_id"])
        from sklearn.feature_extraction.text import TfidfTransformer  # on first fit: kernels start faster

        self.transformer_ = TfidfTransformer(sublinear_tf=True, smooth_idf=True, norm="l2")
        self.tfidf_ = self.transformer_.fit_transform(self.counts_.astype(self.dtype)).tocsr()
        return self

    def forms(self, terms) -> list[str]:
        """Return each term's surface forms with counts (the term itself unless lemmas were pooled)."""
        terms = np.asarray(terms, dtype=object).tolist()
        return [self.forms_.get(t, t) for t in terms] if self.forms_ else terms

    def fit_transform(self, corpus: Corpus) -> sparse.csr_matrix:
        """Fit and return the article x term TF-IDF matrix."""
        return self.fit(corpus).tfidf_
