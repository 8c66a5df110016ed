"""Terms pooled by lemma (simplemma): exact lemmas on tiny Russian and German corpora."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from analysis.corpus import load_corpus
from analysis.errors import ParameterError
from analysis.framing import log_odds_table
from analysis.lemmas import pool_by_lemma, use_lemmas
from analysis.terms import FramingVectorizer

from .conftest import article_row, build_corpus

RUSSIAN = {
    "alpha-1": "Оккупанты провели референдум. Оккупантам никто не верит.",
    "beta-1": "Референдума не будет, заявили оккупанты.",
}
GERMAN = {
    "alpha-1": "Die Besatzer planen Referenden in den besetzten Gebieten.",
    "beta-1": "Das Referendum im besetzten Gebiet gilt als illegal.",
}


def tiny(tmp_path, texts, language):
    rows = [article_row("alpha-1", "alpha", language=language), article_row("beta-1", "beta", language=language)]
    return load_corpus(build_corpus(tmp_path / language, texts, rows))


def test_russian_forms_pool_into_their_lemmas(tmp_path):
    corpus = tiny(tmp_path, RUSSIAN, "ru")
    vec = FramingVectorizer(stop_words=None, lemmas="auto").fit(corpus)
    assert vec.lemmatised_ == "ru"
    counts = dict(zip(vec.terms_, np.asarray(vec.counts_.sum(axis=0)).ravel()))
    # оккупанты (2) + оккупантам (1) -> оккупант; референдум + референдума -> референдум
    assert counts["оккупант"] == 3 and counts["референдум"] == 2
    assert vec.forms_["оккупант"] == "оккупанты 2, оккупантам 1"
    assert vec.forms_["референдум"] == "референдум 1, референдума 1"
    assert counts["оккупант провести"] == 1  # a word pair: each word's lemma
    surface = FramingVectorizer(stop_words=None).fit(corpus)
    assert surface.lemmatised_ is None and {"оккупанты", "оккупантам"} <= set(surface.terms_)
    assert surface.forms(["оккупанты"]) == ["оккупанты 2"]


def test_german_forms_pool_and_tables_show_the_forms(tmp_path):
    corpus = tiny(tmp_path, GERMAN, "de")
    vec = FramingVectorizer(stop_words=None, lemmas="auto").fit(corpus)
    counts = dict(zip(vec.terms_, np.asarray(vec.counts_.sum(axis=0)).ravel()))
    # lowercase German read as nouns where simplemma knows the noun: "gebiet"/"gebieten" -> gebiet
    assert counts["besetzte"] == 2 and counts["gebiet"] == 2 and counts["referendum"] == 2
    assert vec.forms_["gebiet"] == "gebiet 1, gebieten 1"
    table = log_odds_table(corpus, vec, "group").set_index(["comparison", "term"])
    assert table.loc[("western", "gebiet"), "forms"] == "gebiet 1, gebieten 1"
    assert list(vec.terms_) == sorted(t for t in vec.terms_ if " " not in t) + sorted(t for t in vec.terms_ if " " in t)


def test_when_lemmas_apply():
    assert use_lemmas("auto", ["ru"]) == "ru" and use_lemmas("auto", ["en"]) is None
    assert use_lemmas("auto", ["de", "en"]) is None and use_lemmas(False, ["ru"]) is None
    assert use_lemmas(True, ["en"]) == "en"
    with pytest.raises(ParameterError, match="needs articles in one language"):
        use_lemmas(True, ["de", "en"])


def test_pool_by_lemma_sums_columns_and_keeps_kinds_apart():
    counts = sparse.csr_matrix(np.array([[1, 2, 0, 1], [0, 1, 3, 0]]))
    terms = np.array(["kriegs", "krieg", "kriege", "krieg kriegs"], dtype=object)
    pooled, lemmas, forms = pool_by_lemma(counts, terms, "de")
    assert list(lemmas) == ["krieg", "krieg krieg"]
    assert pooled.toarray().tolist() == [[3, 1], [4, 0]]
    assert forms["krieg"] == "krieg 3, kriege 3, kriegs 1"
