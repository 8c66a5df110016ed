"""count_texts (parallel map/reduce counting) equals featurize + DictVectorizer, whatever the chunking."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction import DictVectorizer

from analysis.counting import count_chunk, count_texts, merge_chunks, resolve_jobs
from analysis.features import featurize

from .conftest import CORPUS

TEXTS = [
    "Kiev’s “sham referendum” — a so-called vote. Kiev's talks; Kyiv (Ukraine) said.",
    "",
    "a b c",
    "The referendum, the REFERENDUM! «Референдум» 1,000 people's 2.5 votes",
    "x's y's ‘so called’ „fake“ \n\n new line",
    (CORPUS / "texts" / "rt-2022-08-08.txt").read_text(encoding="utf-8"),
]


def rows_sorted(matrix) -> bool:
    """Return whether every row's column indices strictly increase (checked, not the flag)."""
    return all((np.diff(matrix.indices[a:b]) > 0).all() for a, b in zip(matrix.indptr[:-1], matrix.indptr[1:]))


def reference(texts):
    docs = [featurize(t).to_dict("x") for t in texts]
    out = {}
    for kind in ("unigrams", "bigrams", "quoted"):
        vec = DictVectorizer(dtype=np.int64, sort=True)
        matrix = vec.fit_transform([d[kind] for d in docs])
        out[kind] = (matrix, list(vec.get_feature_names_out()))
    return [d["n_tokens"] for d in docs], out


@pytest.mark.parametrize("n_jobs, chunk_size", [(1, 1), (1, 100), (2, 2), (2, 4)])
def test_counts_equal_featurize_whatever_the_chunking(n_jobs, chunk_size):
    expected_tokens, expected = reference(TEXTS)
    n_tokens, counts = count_texts(TEXTS, n_jobs=n_jobs, chunk_size=chunk_size)
    assert list(n_tokens) == expected_tokens
    for kind, (matrix, terms) in expected.items():
        got_matrix, got_terms = counts[kind].matrix, counts[kind].terms
        assert list(got_terms) == terms, kind
        assert got_matrix.shape == matrix.shape and (got_matrix != matrix).nnz == 0, kind
        assert got_matrix.has_sorted_indices and rows_sorted(got_matrix), kind


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_generator_is_streamed_with_the_same_counts(n_jobs):
    expected_tokens, expected = reference(TEXTS * 2)
    n_tokens, counts = count_texts((t for t in TEXTS * 2), n_jobs=n_jobs, chunk_size=3)
    assert list(n_tokens) == expected_tokens
    for kind, (matrix, terms) in expected.items():
        assert list(counts[kind].terms) == terms and (counts[kind].matrix != matrix).nnz == 0


def test_spot_values():
    n_tokens, counts = count_texts(TEXTS[:1], n_jobs=1)
    matrix, terms = counts["bigrams"].matrix, counts["bigrams"].terms
    assert n_tokens.tolist() == [10]  # kiev sham referendum so-called vote kiev talks kyiv ukraine said
    assert matrix[0, list(terms).index("sham referendum")] == 1
    assert "kiev sham" not in set(terms)  # the quotation mark splits segments
    uni, words = counts["unigrams"].matrix, counts["unigrams"].terms
    assert uni[0, list(words).index("kiev")] == 2
    assert list(counts["quoted"].terms) == ["sham referendum"]
    assert counts["quoted"].article_ids == ("0",)
    _, named = count_texts(TEXTS[:2], article_ids=["a", "b"], n_jobs=1)
    assert named["unigrams"].article_ids == ("a", "b")
    with pytest.raises(ValueError, match="got 1 article ids for 2 texts"):
        count_texts(TEXTS[:2], article_ids=["a"], n_jobs=1)


def test_merge_of_no_chunks_is_empty():
    n_tokens, counts = merge_chunks([])
    assert len(n_tokens) == 0 and counts["bigrams"].matrix.shape == (0, 0)


def test_a_chunk_ships_words_not_pair_strings():
    chunk = count_chunk(["alpha beta alpha beta"])
    assert chunk.words.split("\n") == ["alpha", "beta"]
    assert chunk.pair_first.tolist() == [0, 1] and chunk.pair_second.tolist() == [1, 0]


def test_bad_n_jobs_is_refused():
    with pytest.raises(ValueError, match="n_jobs"):
        resolve_jobs(0)


def test_matrix_from_maps_equals_dict_vectorizer():
    from analysis.counting import matrix_from_maps

    maps = [{"b": 2, "a": 1}, {}, {"c d": 3, "a": 4}, {"zz": 1}]
    matrix, terms = matrix_from_maps(maps)
    vec = DictVectorizer(dtype=np.int64, sort=True)
    expected = vec.fit_transform(maps)
    assert list(terms) == list(vec.get_feature_names_out()) == ["a", "b", "c d", "zz"]
    assert (matrix != expected).nnz == 0 and matrix.has_sorted_indices
    assert matrix[2].toarray().tolist() == [[4, 0, 3, 0]]


TRICKY_TEXT = st.text(alphabet=st.sampled_from(list("ab1.,'-_ s\n:;!?\"()“”«»‘’ʼ—–\u2011xAéQqΣσς5\u0301")), max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), TRICKY_TEXT), min_size=1, max_size=6))
def test_a_chunk_tokenised_in_one_pass_equals_each_text_alone(texts):
    """Texts joined on a separator line for one pass: no token, pair or quotation crosses from one text to the next."""
    chunk = merge_chunks([count_chunk(texts)])
    n_tokens, expected = reference(texts)
    assert list(chunk[0]) == n_tokens
    for kind, (matrix, terms) in expected.items():
        assert list(chunk[1][kind].terms) == terms
        assert (chunk[1][kind].matrix.astype(np.int64) != matrix).nnz == 0
