"""ngrams-v1 features: the spec vectors, the RT article, and properties of the tokenizer."""

from __future__ import annotations

import json
import re
import unicodedata
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.features import (without_quotations, 
    _SEGMENT, _TOKEN, MAX_QUOTED_TOKENS, dumps, featurize, fold, normalise, quoted_phrases, segments,
)

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


FOLD_TABLE = str.maketrans({**dict.fromkeys("\u2019\u2018\u02bc\u0060\u00b4\u2032", "'"),
                            **dict.fromkeys("\u2010\u2011", "-"),
                            **dict.fromkeys("\u2012\u2013\u2014\u2015\u2212", " ")})


def reference_featurize(text: str) -> dict:
    """The spec rule by rule, written for clarity, not speed: the reference for featurize."""
    lowered = unicodedata.normalize("NFKC", text).lower()                                  # 1
    norm = lowered.translate(FOLD_TABLE)                                                   # 2

    def tokens_of(segment):                                                                # 4
        stripped = (t[:-2] if t.endswith("'s") else t for t in _TOKEN.findall(segment))
        return [t for t in stripped if len(t) >= 2]

    unigrams, bigrams = Counter(), Counter()
    for segment in _SEGMENT.split(norm):                                                   # 3
        tokens = tokens_of(segment)
        unigrams.update(tokens)                                                            # 5
        bigrams.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:]))                     # 6
    quoted = Counter()
    for inside in (a or b for a, b in _QUOTED_REFERENCE.findall(lowered)):                 # 7
        tokens = tokens_of(inside.translate(FOLD_TABLE))
        if 1 <= len(tokens) <= MAX_QUOTED_TOKENS:
            quoted[" ".join(tokens)] += 1
    return {"n_tokens": sum(unigrams.values()), "unigrams": dict(unigrams), "bigrams": dict(bigrams),
            "quoted": dict(quoted)}


_QUOTED_REFERENCE = re.compile('["\u201c\u201e\u00ab]([^"\u201c\u201d\u201e\u00ab\u00bb\n]{1,80})["\u201d\u00bb\u201c]'
                               "|\u2018([^\u2018\u2019\n]{1,80})\u2019")
TRICKY = st.text(alphabet=st.sampled_from(list("ab1.,'-_ s\n:;!?\"()“”«»‘’ʼ—–\u2011xAé5")), max_size=60)


def _same_as_reference(text: str) -> None:
    got = featurize(text)
    assert {"n_tokens": got.n_tokens, "unigrams": dict(got.unigrams), "bigrams": dict(got.bigrams),
            "quoted": dict(got.quoted)} == reference_featurize(text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), TRICKY))
def test_featurize_equals_the_rule_by_rule_reference(text):
    _same_as_reference(text)


@pytest.mark.parametrize("text", ["a's b", "it's x's ab's", "1.5. 2,5,x a-b's c", "x... y. z", "'s 's", "a_b cd_ef",
                                  "james's “sham” vote’s", "ab\r\ncd", "e.g. u.s. plan",
                                  "x's's ab's- 1990's 1.5's x's-y 's-a it's't a'ss"])
def test_featurize_equals_reference_on_edge_cases(text):
    _same_as_reference(text)


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


@pytest.mark.parametrize("text, expected", [
    ("He said: “We will give nothing away. Nothing,” and left. Called ‘sham’ votes.",
     "he said: \n and left. called ‘sham’ votes."),
    ("Він заявив: «Ми нічого не віддамо „ніколи“ і нікому», – сказав він.", "він заявив: \n, – сказав він."),
    ("Er sagte: „Wir geben nichts her, gar nichts.“ Dann ging er.", "er sagte: \n dann ging er."),
    ("‘We won’t give up what’s ours, ever’ he said", "\n he said"),
    ('"Not this one" and "nor", "but this one here"', '"not this one" and "nor", \n'),  # 3 tokens stay
    ("He said: “We will never give up what is ours\n“Nor will we forget,” he added.", "he said: \n\n\n he added."),
    ("An excerpt cut inside « мы ничего своего не отдадим", "an excerpt cut inside \n"),
])
def test_without_quotations_cuts_quotations_of_more_than_three_tokens(text, expected):
    assert without_quotations(text) == expected


@pytest.mark.parametrize("text", ["No quotes at all.", "Kiev’s “sham referendum” — a so-called vote.", "“a b c”"])
def test_without_quotations_is_none_when_nothing_is_cut(text):
    assert without_quotations(text) is None


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), TRICKY))
def test_word_pairs_outside_quotations_are_a_subset_of_the_texts(text):
    cut = without_quotations(text)
    if cut is not None:
        assert set(featurize(cut).bigrams) <= set(featurize(text).bigrams)
