"""What a reader sees: keywords in context, findings generated from tables, readable files, the HTML report."""

from __future__ import annotations

import os
import stat

import nbformat
import pandas as pd
import pytest

from analysis import findings
from analysis.corpus import load_corpus
from analysis.files import atomic_path, temp_dir, write_atomic
from analysis.kwic import keywords_in_context, sentences, term_in_sentence
from analysis.report import findings as findings_of
from analysis.report import index_html, notebook_html

from .conftest import article_row, build_corpus


@pytest.fixture
def text_corpus(tmp_path):
    texts = {
        "alpha-1": "Kiev's envoy left. The vote in Kiev was called a sham referendum by some.\nKiev replied.",
        "alpha-2": "Nothing about the capital here.",
        "beta-1": "Kyiv condemned the sham referendum.",
    }
    rows = [article_row("alpha-1", "alpha", text_form="full"), article_row("alpha-2", "alpha", text_form="full"),
            article_row("beta-1", "beta")]
    return load_corpus(build_corpus(tmp_path / "c", texts, rows, as_text=("alpha-1", "alpha-2")))


def test_sentences_split_after_end_marks_and_line_ends():
    assert sentences("One. Two? “Three.” Four\nFive… six") == ["One.", "Two?", "“Three.”", "Four", "Five…", "six"]


def test_term_in_sentence_finds_tokens_as_written_not_substrings():
    assert term_in_sentence("kiev", "Kiev's envoy met Kievans in Kiev.") == [
        ("", "Kiev", "'s envoy met Kievans in Kiev."), ("Kiev's envoy met Kievans in ", "Kiev", ".")]
    assert term_in_sentence("sham referendum", "A sham. Referendum, then a “Sham referendum”") == [
        ("A sham. Referendum, then a “", "Sham referendum", "”")]
    assert term_in_sentence("kiev", "word " * 30 + "Kiev", window=12) == [("…word word ", "Kiev", "")]


def test_keywords_in_context_gives_sentences_where_text_exists_and_a_pointer_where_not(text_corpus):
    table = keywords_in_context(text_corpus, ["kiev", "sham referendum", "absent"])
    assert list(table.columns) == ["term", "article_id", "group", "left", "match", "right", "count", "source", "url"]
    rows = table[["term", "article_id", "left", "match", "right", "count", "source"]].values.tolist()
    assert rows == [
        ["kiev", "alpha-1", "", "Kiev", "'s envoy left.", 3, "text"],
        ["kiev", "alpha-1", "The vote in ", "Kiev", " was called a sham referendum by some.", 3, "text"],
        ["kiev", "alpha-1", "", "Kiev", " replied.", 3, "text"],
        ["sham referendum", "alpha-1", "The vote in Kiev was called a ", "sham referendum", " by some.", 1, "text"],
        ["sham referendum", "beta-1", "", "", "", 1, "features only"],
    ]
    assert table.loc[table["source"] == "features only", "url"].tolist() == ["https://beta.test/beta-1"]
    only = keywords_in_context(text_corpus, ["sham referendum"], article_ids=["beta-1"])
    assert only["article_id"].tolist() == ["beta-1"]


def test_findings_are_generated_from_the_tables():
    distinctive = pd.DataFrame({
        "group": ["a", "a", "b"], "n_articles": [5, 5, 2], "small_group": [False, False, True],
        "direction": ["over", "under", "over"], "rank": [1, 1, 1], "term": ["kiev", "kyiv", "occupiers"],
        "stability": [0.9, 0.5, 0.25]})
    assert findings.distinctive_findings(distinctive, "group") == (
        "**Findings — distinctive terms**\n\n- a (n=5): kiev (90%)\n- b (n=2 — too small to read): occupiers (25%)"
        "\n\nPercentages: share of bootstrap resamples in which the term stays in the group's top list.")
    shares = pd.DataFrame({"group": ["ru", "ua", "ru", "ua"], "concept": ["capital"] * 4,
                           "variant": ["Kiev", "Kiev", "Kyiv", "Kyiv"], "count": [7, 0, 0, 9],
                           "n_articles_using": [4, 0, 0, 9], "n_articles": [5, 9, 5, 9]})
    counts = pd.DataFrame({"article_id": ["rt", "rt"], "concept": ["capital"] * 2, "variant": ["Kiev", "Kyiv"],
                           "count": [7, 0]})
    text = findings.naming_findings(counts, shares, "rt", "RT", "group")
    assert "- capital “Kiev”: RT 7×; articles using it: ru 4/5, ua 0/9" in text
    assert "- capital “Kyiv”: RT 0×; articles using it: ru 0/5, ua 9/9" in text


def test_written_files_and_folders_get_the_umask_modes(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.csv", "x\n")
        folder = temp_dir(tmp_path, ".work-")
        os.umask(0o077)
        with atomic_path(tmp_path / "b.csv") as tmp:
            tmp.write_text("y\n", encoding="utf-8")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.csv").stat().st_mode) == 0o644
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "b.csv").stat().st_mode) == 0o600


def _executed(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 9. A title"), nbformat.v4.new_code_cell("x")]
    nb.cells[1].outputs = [
        nbformat.v4.new_output("display_data", {"text/markdown": "**Findings — x**\n\n- one"},
                               metadata={"framediff": {"finding": True}}),
        nbformat.v4.new_output("display_data", {"image/png": "iVBORw0KGgo="}, metadata={"framediff": {"figure": "f.png"}}),
    ]
    path = tmp_path / "09-x.ipynb"
    nbformat.write(nb, path)
    return path


def test_html_pages_put_findings_first_and_embed_figures(tmp_path):
    path = _executed(tmp_path)
    assert findings_of(nbformat.read(path, as_version=4)) == ["**Findings — x**\n\n- one"]
    page = notebook_html(path)
    assert page.index("Findings") < page.index("data:image/png;base64,iVBORw0KGgo=")
    assert ">x</" not in page.replace(" ", "")  # code hidden
    index = index_html(tmp_path, "en", [path])
    assert "<h2>9. A title</h2>" in index and "<li>one</li>" in index and "src='figures/f.png'" in index


def test_seed_lead_cuts_at_the_sentence_end_nearest_the_others_median(text_corpus):
    from analysis.seed import cut_at_sentence, seed_lead

    assert cut_at_sentence("One two. Three four five. Six.", 12) == "One two."
    assert cut_at_sentence("One two. Three four five. Six.", 22) == "One two. Three four five."
    whole, length = seed_lead(text_corpus, "alpha-1")  # others' median (100, the fixture's) exceeds the seed's 87
    assert whole is text_corpus and (length.seed_chars, length.full_chars, length.others_median_chars) == (87, 87, 100)
    lead, length = seed_lead(text_corpus, "alpha-1", 80)
    assert lead.texts["alpha-1"] == "Kiev's envoy left. The vote in Kiev was called a sham referendum by some."
    assert (length.seed_chars, length.full_chars, length.has_text) == (73, 87, True)
    row = list(lead.articles["article_id"]).index("alpha-1")
    kiev = list(lead.unigrams.terms).index("kiev")
    assert lead.unigrams.matrix[row, kiev] == 2 and "replied" not in set(lead.unigrams.terms)
    assert lead.articles.loc[row, "n_tokens"] == 13
    same, length = seed_lead(text_corpus, "beta-1")  # features only: used whole
    assert same is text_corpus and not length.has_text and "held only as features" in length.describe()
