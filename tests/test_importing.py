"""Bring your own corpus: each import format round-trips; bad input is refused whole."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from analysis.corpus import load_corpus
from analysis.features import featurize
from analysis.importing import ImportProblems, corpus_from_frame, import_source

from .conftest import ROOT

ARTICLE_A = """---
outlet: Example Daily
url: https://example.test/a
published: 2022-08-08
title: Region orders referendum
language: en
events: zaporizhzhia-referendum-order
---
The Russia-installed head signed an order. Kyiv called it a “sham referendum”.
"""
ARTICLE_B = """---
outlet: Пример
url: https://primer.test/b
published: 2022-08-09T10:00:00Z
language: ru
---
Глава области подписал распоряжение о проведении референдума.
"""


def cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture
def folder(tmp_path):
    src = tmp_path / "mine"
    src.mkdir()
    (src / "a.md").write_text(ARTICLE_A, encoding="utf-8")
    (src / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    return src


def test_folder_round_trip_validates_and_counts(folder, tmp_path):
    into = tmp_path / "corpus"
    result = cli("import", "folder", str(folder), "--into", str(into))
    assert result.returncode == 0, result.stderr
    assert "added 2 article(s), 0 already present" in result.stdout
    assert "new outlets with group/ownership 'unknown'" in result.stdout
    assert cli("validate", str(into)).returncode == 0
    corpus = load_corpus(into)
    rows = corpus.articles.set_index("outlet_name")
    a = rows.loc["Example Daily"]
    assert (a.language, a.title, str(a.published.date()), a.group, a.text_form) == (
        "en", "Region orders referendum", "2022-08-08", "unknown", "full")
    expected = featurize(ARTICLE_A.split("---\n", 2)[2])
    assert a.n_tokens == expected.n_tokens
    assert corpus.quoted.to_frame()["term"].tolist() == ["sham referendum"]
    b = rows.loc["Пример"]
    assert str(b.published.date()) == "2022-08-09" and b.article_id.startswith("x")  # Cyrillic name: hashed id
    again = cli("import", "folder", str(folder), "--into", str(into))
    assert "added 0 article(s), 2 already present" in again.stdout
    assert len(load_corpus(into)) == 2


def test_bad_folder_imports_nothing_unless_skip_bad(folder, tmp_path):
    (folder / "c.md").write_text("---\noutlet: [unclosed\n---\ntext", encoding="utf-8")
    (folder / "d.md").write_text("no front matter here", encoding="utf-8")
    (folder / "e.md").write_text("---\noutlet: X\nlanguage: en\nurl: ftp://x.test/e\n---\nSome text.", encoding="utf-8")
    (folder / "f.md").write_text("---\noutlet: X\nlanguage: en\n---\n   \n", encoding="utf-8")
    (folder / "g.txt").write_bytes("---\noutlet: X\n---\nKiew Präsident".encode("latin-1"))
    into = tmp_path / "corpus"
    result = cli("import", "folder", str(folder), "--into", str(into))
    assert result.returncode == 1
    err = result.stderr
    assert "c.md: front matter: not valid YAML" in err
    assert "d.md: front matter: missing (start the file with a --- line)" in err
    assert "g.txt: encoding: not UTF-8 (byte 25)" in err
    assert "e.md: url: 'ftp://x.test/e' is not an http(s) URL" in err and "f.md: text: empty" in err
    assert "5 problem(s); nothing imported" in err
    assert not into.exists()
    with pytest.raises(ImportProblems) as info:
        import_source("folder", folder, into, skip_bad=False)
    assert not into.exists() and len(info.value.problems) == 5
    report = import_source("folder", folder, into, skip_bad=True)
    assert len(report.added) == 2
    assert len(report.rejected) == 5
    assert [str(p) for p in report.rejected[-2:]] == ["e.md: url: 'ftp://x.test/e' is not an http(s) URL",
                                                      "f.md: text: empty"]
    rejects = pd.read_csv(into / "import-rejects.csv")
    assert rejects.to_dict("records")[-2] == {"where": "e.md", "field": "url", "problem": "'ftp://x.test/e' is not an http(s) URL"}
    assert cli("validate", str(into)).returncode == 0


def test_csv_with_mapped_columns_and_missing_column(tmp_path):
    src = tmp_path / "export.csv"
    pd.DataFrame({"body": ["Kiev said the vote goes ahead.", "Kyiv condemned the vote."],
                  "source": ["Alpha", "Beta"], "link": ["https://a.test/1", "https://b.test/2"],
                  "date": ["2022-08-08", ""]}).to_csv(src, index=False)
    into = tmp_path / "corpus"
    result = cli("import", "csv", str(src), "--into", str(into), "--map", "text=body", "--map", "outlet=source",
                 "--map", "url=link", "--map", "published=date", "--language", "en")
    assert result.returncode == 0, result.stderr
    corpus = load_corpus(into)
    assert sorted(corpus.articles["outlet_name"]) == ["Alpha", "Beta"]
    assert corpus.articles.set_index("outlet_name").loc["Beta", "date_basis"] == "unknown"
    missing = cli("import", "csv", str(src), "--into", str(tmp_path / "other"))
    assert missing.returncode == 1
    assert "export.csv:1: text: missing column (columns: body, source, link, date)" in missing.stderr
    no_language = cli("import", "csv", str(src), "--into", str(tmp_path / "other"), "--map", "text=body",
                      "--map", "outlet=source")
    assert "export.csv:2: language: '' is not an ISO 639-1 code" in no_language.stderr
    assert not (tmp_path / "other").exists()


def test_jsonl_and_dataframe(tmp_path):
    src = tmp_path / "items.jsonl"
    src.write_text('{"text": "Occupiers plan a vote.", "outlet": "Gamma", "language": "en"}\n'
                   '{"text": "Liberated areas vote.", "outlet": "Delta", "language": "en", "published": "8 Aug"}\n',
                   encoding="utf-8")
    with pytest.raises(ImportProblems, match="items.jsonl:2: published: '8 Aug' is not a date"):  # the line number
        import_source("jsonl", src, tmp_path / "c")
    src.write_text(src.read_text(encoding="utf-8").replace('"8 Aug"', '"2022-08-08"'), encoding="utf-8")
    jsonl = import_source("jsonl", src, tmp_path / "j")
    assert len(jsonl.added) == 2 and sorted(jsonl.new_outlets) == ["delta", "gamma"]
    loaded = load_corpus(tmp_path / "j").articles.set_index("outlet_name")
    assert str(loaded.loc["Delta", "published"].date()) == "2022-08-08" and loaded.loc["Gamma", "date_basis"] == "unknown"
    frame = pd.DataFrame({"text": ["Occupiers plan a vote."], "outlet": ["Gamma"], "article_id": ["gamma-1"]})
    report = corpus_from_frame(frame, tmp_path / "c", language="en")
    assert report.added == ["gamma-1"] and report.new_outlets == ["gamma"]
    assert load_corpus(tmp_path / "c").unigrams.to_frame()["term"].tolist() == ["occupiers", "plan", "vote"]


@pytest.mark.slow
def test_readme_worked_example_folder_to_notebooks(tmp_path):
    """The README's path: a folder of my articles -> import -> the notebooks run on it."""
    from analysis.runner import run

    src = tmp_path / "mine"
    src.mkdir()
    texts = {
        "a1": ("Alpha Times", "Kiev said the referendum in Zaporozhye will go ahead. Peskov replied."),
        "a2": ("Alpha Times", "The head of the region signed the order. Kiev was silent on the talks."),
        "b1": ("Beta Post", "Occupiers plan a “referendum” in Zaporizhzhia. Kyiv condemned the sham vote."),
        "b2": ("Beta Post", "Kyiv said the Russia-installed official will stage a sham referendum in Kherson."),
    }
    for article_id, (outlet, body) in texts.items():
        (src / f"{article_id}.md").write_text(
            f"---\narticle_id: {article_id}\noutlet: {outlet}\nlanguage: en\npublished: 2022-08-08\n---\n{body}\n",
            encoding="utf-8")
    into = tmp_path / "my-corpus"
    assert cli("import", "folder", str(src), "--into", str(into)).returncode == 0
    target = run("en", {"corpus_dir": str(into), "seed_id": "a1", "group_by": "origin_id", "n_resamples": 10},
                 reports=tmp_path / "reports", progress=False)
    naming = pd.read_csv(target / "tables" / "naming.csv")
    kiev = naming[naming.variant == "Kiev"].groupby("origin_id")["count"].sum().to_dict()
    assert kiev == {"alpha-times": 2, "beta-post": 0}  # the embedded English lexicon was used
    assert (target / "figures" / "context_coverage.png").is_file()
