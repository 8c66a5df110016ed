"""The loader on the embedded corpus and on tiny corpora."""

from __future__ import annotations

import csv
import filecmp
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfTransformer

from analysis.corpus import CorpusError, load_corpus, summary
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


def test_a_corpus_loaded_again_reads_its_kept_counts_and_any_changed_byte_counts_afresh(corpus_copy):
    from analysis.validate import check_corpus

    first = load_corpus(corpus_copy)
    kept = list((corpus_copy / "cache" / "counts").glob("*.npz"))
    assert len(kept) == 1 and check_corpus(corpus_copy).cached_counts == kept[0]
    second = load_corpus(corpus_copy)
    pd.testing.assert_frame_equal(first.articles, second.articles)
    for kind in first.counts:
        assert list(first.counts[kind].terms) == list(second.counts[kind].terms)
        assert (first.counts[kind].matrix != second.counts[kind].matrix).nnz == 0
        assert first.counts[kind].matrix.dtype == second.counts[kind].matrix.dtype
    assert first.texts == second.texts
    # One changed byte in a features file: a new key, the file parsed and checked again (and refused).
    path = corpus_copy / "features" / "tass-2022-08-08.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"n_tokens": 236', '"n_tokens": 237'), encoding="utf-8")
    assert check_corpus(corpus_copy).cached_counts is None
    with pytest.raises(CorpusError, match="n_tokens"):
        load_corpus(corpus_copy)
    # A damaged kept file is counted again, and replaced.
    path.write_text(path.read_text(encoding="utf-8").replace('"n_tokens": 237', '"n_tokens": 236'), encoding="utf-8")
    kept[0].write_bytes(b"not a zip")
    third = load_corpus(corpus_copy)
    assert (third.bigrams.matrix != first.bigrams.matrix).nnz == 0 and kept[0].stat().st_size > 100


def test_many_new_texts_are_counted_together_with_the_same_counts(tmp_path, monkeypatch):
    from analysis import validate

    from .conftest import article_row, build_corpus

    texts = {"alpha-1": "The head of the region signed an order. Kiev will break off talks.",
             "alpha-2": "Kiev said «no» — a “sham referendum”; the order (signed) stands.",
             "beta-1": "The Russia-installed official ordered a “sham referendum”. Kyiv warned.",
             "beta-2": "Zaporizhzhia’s head: the vote, the order, the region."}
    rows = [article_row(a, a.split("-")[0], text_form="full" if a != "beta-1" else "features") for a in texts]
    one_by_one = load_corpus(build_corpus(tmp_path / "a", texts, rows, as_text=("alpha-1", "alpha-2", "beta-2")))
    monkeypatch.setattr(validate, "COUNT_TOGETHER_FROM", 2)
    together_dir = build_corpus(tmp_path / "b", texts, rows, as_text=("alpha-1", "alpha-2", "beta-2"))
    checked = validate.check_corpus(together_dir)
    assert checked.counted[0] == ["alpha-1", "alpha-2", "beta-2"] and "beta-1" in checked.documents
    together = load_corpus(together_dir)
    assert together.tokenised == one_by_one.tokenised == ("alpha-1", "alpha-2", "beta-2")
    pd.testing.assert_frame_equal(together.articles, one_by_one.articles)
    for kind in ("unigrams", "bigrams", "quoted"):
        assert list(together.counts[kind].terms) == list(one_by_one.counts[kind].terms)
        assert (together.counts[kind].matrix != one_by_one.counts[kind].matrix).nnz == 0


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
