"""Every validation case: the message names the file, row and field, and nothing loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.corpus import load_corpus
from analysis.validate import CorpusError, check_corpus

from .conftest import OUTLETS, ROOT, article_row, build_corpus, schema, write_csv

TEXTS = {"alpha-1": "Kiev signed an order.", "beta-1": "Kyiv called it a sham vote."}


def rows(**overrides_for_beta):
    """Two valid rows; the second (line 3 of articles.csv) takes the overrides."""
    beta = article_row("beta-1", "beta")
    beta.update(overrides_for_beta)
    return [article_row("alpha-1", "alpha"), beta]


def problems_of(root: Path) -> list[str]:
    """Return the problems load_corpus raises (which include those check_corpus finds)."""
    with pytest.raises(CorpusError) as info:
        load_corpus(root)
    raised = [str(p) for p in info.value.problems]
    checked = [str(p) for p in check_corpus(root).problems]
    assert raised[: len(checked)] == checked
    return raised


def test_valid_tiny_corpus_has_no_problems(tiny_corpus):
    assert check_corpus(tiny_corpus).problems == []


@pytest.mark.parametrize("override, expected", [
    ({"published": "08/08/2022"}, "articles.csv:3: published: '08/08/2022' is not a date YYYY-MM-DD"),
    ({"published": "2022-02-30"}, "articles.csv:3: published: '2022-02-30' is not a date"),
    ({"relation": "reprint"}, "articles.csv:3: relation: 'reprint' is not one of: copy, machine-translation"),
    ({"language": "english"}, "articles.csv:3: language: 'english' is not one of: an ISO 639-1 code"),
    ({"outlet_id": "delta"}, "articles.csv:3: outlet_id: unknown outlet 'delta' (not in outlets.csv)"),
    ({"origin_id": "zeta"}, "articles.csv:3: origin_id: unknown outlet 'zeta'"),
    ({"origin_id": "gamma"}, "articles.csv:3: origin_id: 'gamma' is an aggregator, never an origin"),
    ({"truncated": "yes"}, "articles.csv:3: truncated: 'yes' is not one of: false, true"),
    ({"source_chars": "many"}, "articles.csv:3: source_chars: 'many' is not a whole number"),
])
def test_bad_article_field(tmp_path, override, expected):
    root = build_corpus(tmp_path / "c", TEXTS, rows(**override))
    found = problems_of(root)
    assert any(p.startswith(expected) for p in found), found


def test_unsafe_article_id(tmp_path):
    root = build_corpus(tmp_path / "c", {"alpha-1": "Kiev."},
                        [article_row("alpha-1", "alpha"), article_row("../beta 1", "beta")])
    found = problems_of(root)
    assert "articles.csv:3: article_id: '../beta 1' is not a safe id (lower-case a-z, 0-9, . _ -)" in found


def test_duplicate_ids(tmp_path):
    outlets = [*OUTLETS, dict(OUTLETS[0])]
    root = build_corpus(tmp_path / "c", TEXTS, rows() + [article_row("alpha-1", "alpha")], outlets)
    found = problems_of(root)
    assert "outlets.csv:5: outlet_id: duplicate id 'alpha' (first on line 2)" in found
    assert "articles.csv:4: article_id: duplicate id 'alpha-1' (first on line 2)" in found


def test_missing_and_extra_columns(tmp_path):
    root = build_corpus(tmp_path / "c", TEXTS, rows())
    bad = [c for c in schema.ARTICLE_COLUMNS if c != "events"] + ["notes"]
    write_csv(root / "articles.csv", rows(), bad)
    found = problems_of(root)
    assert "articles.csv:1: events: missing column" in found
    assert any(p.startswith("articles.csv:1: notes: unexpected column") for p in found)


def test_row_without_text_or_features_and_file_without_row(tmp_path):
    root = build_corpus(tmp_path / "c", {"alpha-1": "Kiev.", "orphan-1": "Kyiv."}, rows())
    found = problems_of(root)
    assert ("articles.csv:3: article_id: neither texts/beta-1.txt nor features/beta-1.json exists"
            in found)
    assert "features/orphan-1.json: article_id: no row for 'orphan-1' in articles.csv" in found


def test_text_without_row_non_utf8_and_empty_text(tmp_path):
    root = build_corpus(tmp_path / "c", {"alpha-1": "Kiev."},
                        [article_row("alpha-1", "alpha"), article_row("beta-1", "beta", text_form="full"),
                         article_row("gamma-1", "beta", text_form="full")])
    (root / "texts" / "beta-1.txt").write_bytes("Kiew Präsident".encode("latin-1"))
    (root / "texts" / "gamma-1.txt").write_text("  \n", encoding="utf-8")
    (root / "texts" / "stray.txt").write_text("text", encoding="utf-8")
    found = problems_of(root)
    assert "texts/beta-1.txt: encoding: not UTF-8 (byte 7: invalid continuation byte)" in found
    assert "texts/gamma-1.txt: text: empty" in found
    assert "texts/stray.txt: article_id: no row for 'stray' in articles.csv" in found


def test_non_utf8_csv(tmp_path):
    root = build_corpus(tmp_path / "c", TEXTS, rows())
    (root / "outlets.csv").write_bytes((root / "outlets.csv").read_bytes() + "x,Zé,,,,\n".encode("cp1252"))
    found = problems_of(root)
    assert any(p.startswith("outlets.csv: encoding: not UTF-8") for p in found), found


@pytest.mark.parametrize("edit, expected", [
    (lambda d: d.update(tokenizer="whitespace"), "features/beta-1.json: tokenizer: 'whitespace' is not 'ngrams-v1'"),
    (lambda d: d.update(article_id="beta-2"), "features/beta-1.json: article_id: 'beta-2' differs from the file name 'beta-1'"),
    (lambda d: d["unigrams"].update(kyiv=0), "features/beta-1.json: unigrams: counts must be integers from 1 to 2,147,483,647; 1 are not (first: 'kyiv': 0)"),
    (lambda d: d["bigrams"].update({"sham vote": 1.5}), "features/beta-1.json: bigrams: counts must be integers from 1 to"),
    (lambda d: d.pop("quoted"), "features/beta-1.json: quoted: missing or not an object of counts"),
])
def test_bad_features_file(tmp_path, edit, expected):
    root = build_corpus(tmp_path / "c", TEXTS, rows())
    path = root / "features" / "beta-1.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")
    found = problems_of(root)
    assert any(p.startswith(expected) for p in found), found


def test_features_file_not_json(tmp_path):
    root = build_corpus(tmp_path / "c", TEXTS, rows())
    (root / "features" / "beta-1.json").write_text("{\n\"article_id\": ", encoding="utf-8")
    assert any(p.startswith("features/beta-1.json:2: json: not valid JSON") for p in problems_of(root))


def test_features_that_disagree_with_the_text(tmp_path):
    root = build_corpus(tmp_path / "c", TEXTS, [article_row("alpha-1", "alpha", text_form="full"),
                                                article_row("beta-1", "beta")])
    (root / "texts" / "alpha-1.txt").write_text("Kyiv signed an order.", encoding="utf-8")
    assert problems_of(root) == [
        "features/alpha-1.json: counts: differ from the ngrams-v1 features of texts/alpha-1.txt"]


def test_all_problems_reported_at_once_and_cli_exit_status(tmp_path):
    root = build_corpus(tmp_path / "c", TEXTS, rows(published="yesterday", relation="reprint", language="xx"))
    assert len(problems_of(root)) == 3
    result = subprocess.run([sys.executable, "-m", "analysis", "validate", str(root)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{root}/articles.csv:3: published: 'yesterday' is not a date YYYY-MM-DD (or empty)"
    assert lines[-1] == f"3 problem(s) in {root}"
    assert result.stdout == ""
