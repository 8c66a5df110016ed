"""The loader on the embedded corpus and on tiny corpora."""

from __future__ import annotations

import csv
import filecmp
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfTransformer

from analysis.corpus import load_corpus, summary
from analysis.errors import ParameterError

from .conftest import CORPUS, ROOT

SHARED = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


def csv_rows(name):
    with open(CORPUS / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_embedded_corpus_size(corpus):
    assert len(corpus) == 67
    assert corpus.articles["outlet_id"].nunique() == 59
    assert corpus.articles["origin_id"].nunique() == 46
    assert corpus.articles["language"].nunique() == 12


def test_counts_per_group_and_language_match_articles_csv(corpus):
    outlets = {r["outlet_id"]: r for r in csv_rows("outlets.csv")}
    rows = csv_rows("articles.csv")
    expected_groups = Counter(outlets[r["origin_id"]]["group"] for r in rows)
    expected_languages = Counter(r["language"] for r in rows)
    assert corpus.articles["group"].value_counts().to_dict() == dict(expected_groups)
    assert corpus.articles["language"].value_counts().to_dict() == dict(expected_languages)
    assert dict(expected_groups) == {"ukrainian": 25, "western": 19, "russian-state": 13,
                                     "non-aligned": 8, "russian-independent": 2}
    assert expected_languages["en"] == 31 and expected_languages["ru"] == 11


def test_summary_table(corpus):
    table = summary(corpus)
    assert table.loc["total", "total"] == 67
    assert table.loc["western", "en"] == 11
    assert table.loc["ukrainian", "uk"] == 7


def test_joined_metadata_of_named_articles(corpus):
    rows = corpus.articles.set_index("article_id")
    afp = rows.loc["afp-2022-08-08"]
    assert (afp.outlet_name, afp.outlet_group, afp.origin_name, afp.group) == (
        "La Presse", "aggregator", "AFP", "western")
    assert (afp.country, afp.ownership, afp.relation) == ("France", "public-corporation", "copy")
    almanar = rows.loc["almanar-es-undated"]
    assert (almanar.origin_id, almanar.group, almanar.outlet_group) == ("rt", "russian-state", "non-aligned")
    assert almanar.published is None or str(almanar.published) == "NaT"
    rt = rows.loc["rt-2022-08-08"]
    assert (rt.text_form, rt.counts_from, rt.n_tokens, rt.group) == ("full", "text", 493, "russian-state")
    assert str(rt.published.date()) == "2022-08-08"


def test_count_matrices_match_features_files(corpus):
    ids = list(corpus.unigrams.article_ids)
    row = ids.index("tass-2022-08-08")
    vocab = corpus.unigrams.vocabulary()
    import json
    doc = json.loads((CORPUS / "features" / "tass-2022-08-08.json").read_text(encoding="utf-8"))
    for term, count in doc["unigrams"].items():
        assert corpus.unigrams.matrix[row, vocab[term]] == count
    assert corpus.unigrams.matrix[row].sum() == doc["n_tokens"]
    assert list(corpus.unigrams.terms) == sorted(corpus.unigrams.terms)
    # scikit-learn accepts the matrix as it is.
    tfidf = TfidfTransformer().fit_transform(corpus.bigrams.matrix)
    assert tfidf.shape == corpus.bigrams.matrix.shape


def test_selection_helpers(corpus):
    en_western = corpus.select(language="en", group="western")
    assert len(en_western) == 11
    assert set(en_western.articles["language"]) == {"en"}
    assert en_western.unigrams.matrix.shape[0] == 11
    assert (en_western.unigrams.matrix.getnnz(axis=0) > 0).all()  # unused terms dropped
    assert len(corpus.select(relation=["copy", "rewrite"])) == 21
    assert len(corpus.select(event="peskov-reply")) == len(
        [r for r in csv_rows("articles.csv") if "peskov-reply" in r["events"].split(";")])
    picked = corpus.select(article_ids=["rt-2022-08-08", "tass-2022-08-08"])
    assert list(picked.articles["article_id"]) == ["rt-2022-08-08", "tass-2022-08-08"]
    with pytest.raises(ParameterError, match="no column 'colour'"):
        corpus.select(colour="red")


def test_text_features_are_cached(tiny_corpus):
    first = load_corpus(tiny_corpus)
    assert first.tokenised == ("alpha-1",)
    assert len(list((tiny_corpus / "cache" / "features").glob("*.json"))) == 1
    second = load_corpus(tiny_corpus)
    assert second.tokenised == ()
    assert (first.unigrams.matrix != second.unigrams.matrix).nnz == 0
    assert list(first.unigrams.terms) == list(second.unigrams.terms)


def test_tiny_corpus_counts(tiny_corpus):
    corpus = load_corpus(tiny_corpus, cache=False)
    rows = corpus.articles.set_index("article_id")
    assert rows.loc["gamma-1", "group"] == "western"
    assert rows.loc["gamma-1", "outlet_group"] == "aggregator"
    quoted = corpus.quoted.to_frame()
    assert quoted.to_dict("records") == [
        {"article_id": "beta-1", "term": "sham referendum", "count": 1},
        {"article_id": "gamma-1", "term": "sham referendum", "count": 1},
    ]
    assert rows["n_tokens"].to_dict() == {"alpha-1": 13, "beta-1": 8, "gamma-1": 8}


def test_corpus_dir_is_the_shared_corpus_byte_for_byte():
    if not SHARED.is_dir():
        pytest.skip("../shared/corpus is not present on this machine")
    for name in ("articles.csv", "outlets.csv", "FEATURES-SPEC.md", "spec-vectors.json",
                 "texts/rt-2022-08-08.txt"):
        assert filecmp.cmp(SHARED / name, CORPUS / name, shallow=False), name
    comparison = filecmp.dircmp(SHARED / "features", CORPUS / "features")
    assert not comparison.left_only and not comparison.right_only and not comparison.diff_files
    assert sorted(p.name for p in (CORPUS / "texts").iterdir()) == ["rt-2022-08-08.txt"]


def test_validate_command_on_embedded_corpus():
    result = subprocess.run([sys.executable, "-m", "analysis", "validate", str(CORPUS)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "67 articles, 59 sites, 46 origin outlets" in result.stdout
    assert "ukrainian" in result.stdout
