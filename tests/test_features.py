"""ngrams-v1 features: the spec vectors, the RT article, and properties of the tokenizer."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.features import dumps, featurize, quoted_phrases, segments, fold, normalise

from .conftest import CORPUS, ROOT

VECTORS = json.loads((CORPUS / "spec-vectors.json").read_text(encoding="utf-8"))


def test_corpus_has_nine_spec_vectors():
    assert len(VECTORS) == 9


@pytest.mark.parametrize("vector", VECTORS, ids=[v["input"][:30] for v in VECTORS])
def test_spec_vector(vector):
    got = featurize(vector["input"]).to_dict("x")
    for key in ("tokenizer", "n_tokens", "unigrams", "bigrams", "quoted"):
        assert got[key] == vector[key], key


def test_rt_text_reproduces_its_features_file_byte_for_byte():
    text = (CORPUS / "texts" / "rt-2022-08-08.txt").read_text(encoding="utf-8")
    expected = (CORPUS / "features" / "rt-2022-08-08.json").read_text(encoding="utf-8")
    assert dumps(featurize(text).to_dict("rt-2022-08-08")) == expected


def test_rt_counts_spot_values():
    text = (CORPUS / "texts" / "rt-2022-08-08.txt").read_text(encoding="utf-8")
    features = featurize(text)
    assert features.n_tokens == 493
    assert features.unigrams["kiev"] == 7
    assert features.unigrams["kyiv"] == 0
    assert features.bigrams["peace talks"] == 1
    # The only quotation is Peskov's (over 80 characters) and a 4-token one: nothing counted.
    assert not features.quoted


def test_bigrams_never_cross_segments():
    features = featurize("Alpha beta. Gamma delta (epsilon) zeta\n“eta” theta")
    assert set(features.bigrams) == {"alpha beta", "gamma delta"}
    assert features.n_tokens == 8


def test_quoted_rules():
    lowered = normalise("He called it „a farce“ and ‘pseudo vote’; «one two three four» «x»")
    assert quoted_phrases(lowered) == ["farce", "pseudo vote"]  # "a" is under 2 characters; «x» has no token


def test_trailing_period_without_space_does_not_split():
    assert segments(fold("e.g. x y.z end")) == ["e.g", " x y.z end"]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_tokenizer_total_and_deterministic(text):
    first = featurize(text).to_dict("a")
    second = featurize(text).to_dict("a")
    assert first == second
    assert first["n_tokens"] == sum(first["unigrams"].values())
    assert all(len(t) >= 2 for t in first["unigrams"])
    assert sum(first["bigrams"].values()) <= max(first["n_tokens"] - 1, 0)


def test_features_command_writes_spec_json(tmp_path):
    source = tmp_path / "my-article.txt"
    source.write_text("Kiev’s “sham referendum” — a so-called vote.", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "analysis", "features", str(source),
                             "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    doc = json.loads((tmp_path / "out" / "my-article.json").read_text(encoding="utf-8"))
    assert doc["article_id"] == "my-article"
    assert doc["tokenizer"] == "ngrams-v1"
    assert doc["unigrams"] == VECTORS[0]["unigrams"]
    assert doc["quoted"] == {"sham referendum": 1}


def test_features_command_refuses_unsafe_name_and_non_utf8(tmp_path):
    bad_name = tmp_path / "My Article.txt"
    bad_name.write_text("text", encoding="utf-8")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Kiew Präsident".encode("latin-1"))
    result = subprocess.run([sys.executable, "-m", "analysis", "features", str(bad_name), str(latin),
                             "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "My Article.txt: article_id:" in result.stderr
    assert "latin.txt: file: cannot be read as UTF-8" in result.stderr
    assert not (tmp_path / "out").exists()
