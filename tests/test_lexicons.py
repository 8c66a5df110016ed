"""Naming lexicons and context lists: aligned across the 12 corpus languages, protected, checked against the corpus."""

from __future__ import annotations

import re

import numpy as np
import pytest

from analysis.corpus import load_corpus
from analysis.lexicon import added_stop_words, load_context, load_lexicon, protected_patterns, signal_usage
from analysis.naming import naming_counts
from analysis.terms import FramingVectorizer, stop_words_for

from .conftest import CORPUS

LANGUAGES = ["bs", "de", "en", "es", "fr", "it", "nl", "pl", "ru", "sr", "tr", "uk"]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


def test_the_corpus_has_these_languages(corpus):
    assert sorted(set(corpus.articles["language"])) == LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_file_has_the_same_concepts_variants_and_items(language):
    def shape(lang):
        return [(v.concept, v.name, v.unmarked) for v in load_lexicon(CORPUS, lang)]

    assert shape(language) == shape("en")
    assert [(i.id, i.label) for i in load_context(CORPUS, language)] == [(i.id, i.label) for i in load_context(CORPUS, "en")]
    assert len(shape("en")) == 25 and len(load_context(CORPUS, "en")) == 15


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_signal_survives_stop_word_filtering(corpus, language):
    protect = protected_patterns(CORPUS, [language])
    signals = [s for v in load_lexicon(CORPUS, language) for s in v.signals] + \
              [s for i in load_context(CORPUS, language) for s in i.signals]
    literal = np.array([" ".join(s.words) for s in signals
                        if s.kind != "quoted" and not any(w.endswith("*") for w in s.words)], dtype=object)
    mask = FramingVectorizer()._keep_mask(literal, stop_words_for(language) | added_stop_words(CORPUS, [language]), protect)
    assert mask.all(), list(literal[~mask])
    # and every term of the corpus that a signal (wildcards included) matches is a term of the study
    articles = corpus.select(language=language)
    kept = set(FramingVectorizer(protect=protect).fit(articles).terms_)
    matched = {articles.counts[s.kind].terms[j] for s in signals if s.kind != "quoted"
               for j in s.columns(articles.counts[s.kind])}
    assert matched and matched <= kept, sorted(matched - kept)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_lexicon_hits(corpus, language):
    articles = corpus.select(language=language)
    counts = naming_counts(articles, load_lexicon(CORPUS, language))
    assert counts["count"].sum() > 0
    assert counts["concept"].nunique() == 10 and set(counts["article_id"]) == set(articles.articles["article_id"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_files_say_truly_which_signals_the_corpus_never_uses(corpus, language):
    usage = signal_usage(corpus, CORPUS, language)
    for kind in ("lexicons", "context"):
        text = (CORPUS / kind / f"{language}.yaml").read_text(encoding="utf-8")
        head, _, listed = text.partition("# Never used by the shipped corpus")
        count = re.match(r" \((\d+) of (\d+) signals", listed)
        body = " ".join(line[4:].strip() for line in listed.splitlines()[1:] if line.startswith("#   "))
        rows = usage[usage["file"] == kind]
        unused = rows.loc[rows["count"] == 0, "signal"].tolist()
        assert count and (int(count[1]), int(count[2])) == (len(unused), len(rows)), (kind, language)
        assert body == (", ".join(unused) or "none"), (kind, language)


def test_signal_usage_counts_forms_by_hand(corpus):
    usage = signal_usage(corpus, CORPUS, "ru").set_index(["entry", "signal"])
    row = usage.loc[("region: Zaporozhye", "запорож*")]
    assert (row["count"], row["forms"]) == (22, "запорожской 21, запорожье 1")
    assert usage.loc[("capital: Kyiv", "київ"), "count"] == 0
