"""Terms pooled by lemma where inflection splits them, with simplemma.

In Russian counts "оккупанты" (8) and "оккупантам" (1) are two terms, so each carries part of
the signal. :func:`pool_by_lemma` maps every word of a count matrix's terms to its lemma
(`simplemma <https://github.com/adbar/simplemma>`_, a maintained dictionary lemmatiser covering
all 12 corpus languages; Serbian and Bosnian through its Serbo-Croatian dictionary) and sums the
columns that share one; a word pair becomes the pair of its words' lemmas. simplemma works word by
word without context, so a participle may go to its verb ("оккупированных" → "оккупировать") or
to its adjective ("оккупированного" → "оккупированный"): pooling joins most forms, not all.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import sparse

from .errors import ParameterError

# Languages whose inflection splits a word's counts over many forms: lemmas="auto" pools them.
INFLECTED = frozenset({"ru", "uk", "pl", "sr", "bs", "hr", "tr", "de", "cs", "sk", "sl", "bg", "mk", "fi", "hu",
                       "et", "lt", "lv"})
SIMPLEMMA_CODES = {"sr": "hbs", "bs": "hbs", "hr": "hbs"}


def use_lemmas(setting: bool | str, languages: list[str]) -> str | None:
    """Return the language to lemmatise in (None: keep surface forms) for a ``lemmas`` setting.

    ``"auto"`` pools for one inflected language (see INFLECTED) and not otherwise; True pools
    for any one language simplemma covers; False never pools.
    """
    if setting is False or setting is None:
        return None
    if setting not in (True, "auto"):
        raise ParameterError(f"lemmas = {setting!r}: choose True, False or 'auto'")
    if len(languages) != 1:
        if setting == "auto":
            return None
        raise ParameterError(f"lemmas=True needs articles in one language; these are in {', '.join(languages)}")
    language = languages[0]
    if setting == "auto":
        return language if language in INFLECTED else None
    return language


@lru_cache(maxsize=200_000)
def lemma(word: str, language: str) -> str:
    """Return simplemma's lemma of one lowercase word (the word itself if simplemma has none).

    German counts are lowercased, and simplemma reads a lowercase German word as a verb or
    adjective ("gebiet" → "gebieten"); where simplemma knows the capitalised form, its noun
    reading is taken ("Gebiet", "Krieg"), since news vocabulary is mostly nouns.
    """
    import simplemma

    code = SIMPLEMMA_CODES.get(language, language)
    try:
        if language == "de" and simplemma.is_known(word.capitalize(), lang=code):
            return simplemma.lemmatize(word.capitalize(), lang=code).lower()
        return simplemma.lemmatize(word, lang=code).lower()
    except ValueError as exc:  # a language simplemma does not cover
        raise ParameterError(f"no lemmatiser for {language!r} (simplemma: {exc}); set lemmas=False") from exc


def term_lemmas(terms: np.ndarray, language: str) -> np.ndarray:
    """Return each term's lemma: a word's lemma, or a word pair's words' lemmas joined by a space."""
    return np.array([" ".join(lemma(w, language) for w in t.split(" ")) for t in terms], dtype=object)


def pool_by_lemma(counts: sparse.csr_matrix, terms: np.ndarray, language: str,
                  n_forms: int = 3) -> tuple[sparse.csr_matrix, np.ndarray, dict[str, str]]:
    """Return (counts summed per lemma, the lemmas, lemma -> its most frequent surface forms).

    Lemmas keep the terms' order of kinds (unigrams, then bigrams) and are sorted within each.
    Forms read "оккупанты 8, оккупантам 1": up to ``n_forms``, most frequent first, ties by form.
    """
    lemmas = term_lemmas(terms, language)
    is_pair = np.array([" " in t for t in terms], dtype=bool)
    keys = pd.DataFrame({"pair": is_pair, "lemma": lemmas})
    unique = keys.drop_duplicates().sort_values(["pair", "lemma"], ignore_index=True)
    index = pd.Series(np.arange(len(unique)), index=pd.MultiIndex.from_frame(unique))
    column = index.loc[list(zip(is_pair, lemmas))].to_numpy()
    mapping = sparse.csr_matrix((np.ones(len(terms)), (np.arange(len(terms)), column)),
                                shape=(len(terms), len(unique)))
    pooled = (counts @ mapping).tocsr()
    pooled.data = np.rint(pooled.data)
    totals = np.asarray(counts.sum(axis=0)).ravel()
    table = pd.DataFrame({"lemma": lemmas, "form": terms, "total": totals})
    table = table.sort_values(["lemma", "total", "form"], ascending=[True, False, True])
    forms = {k: ", ".join(f"{f} {int(n)}" for f, n in zip(g["form"].head(n_forms), g["total"].head(n_forms)))
             for k, g in table.groupby("lemma", sort=False)}
    return pooled.astype(counts.dtype), unique["lemma"].to_numpy(dtype=object), forms
