"""export-features: the shareable copy validates and reproduces the same counts."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.errors import ParameterError

from analysis.corpus import load_corpus
from analysis.share import export_features

from .conftest import CORPUS, ROOT


def same_counts(a, b):
    for kind in ("unigrams", "bigrams", "quoted"):
        assert list(a.counts[kind].terms) == list(b.counts[kind].terms), kind
        assert (a.counts[kind].matrix != b.counts[kind].matrix).nnz == 0, kind


def test_export_of_the_embedded_corpus_validates_and_keeps_counts(tmp_path):
    out = tmp_path / "shared-copy"
    result = subprocess.run([sys.executable, "-m", "analysis", "export-features", str(CORPUS), "--into", str(out)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert list((out / "texts").iterdir()) == []
    assert (out / "features" / "rt-2022-08-08.json").read_bytes() == (CORPUS / "features" / "rt-2022-08-08.json").read_bytes()
    validate = subprocess.run([sys.executable, "-m", "analysis", "validate", str(out)], cwd=ROOT,
                              capture_output=True, text=True)
    assert validate.returncode == 0, validate.stderr
    exported, original = load_corpus(out), load_corpus(CORPUS)
    same_counts(exported, original)
    rows = exported.articles.set_index("article_id")
    assert rows.loc["rt-2022-08-08", "text_form"] == "features" and rows.loc["rt-2022-08-08", "counts_from"] == "features"
    assert (out / "lexicons" / "en.yaml").is_file()


def test_export_of_a_text_only_article_and_refusals(tiny_corpus, tmp_path):
    out = export_features(tiny_corpus, tmp_path / "tiny-shared")
    assert (out / "features" / "alpha-1.json").is_file()
    same_counts(load_corpus(out), load_corpus(tiny_corpus))
    with pytest.raises(ParameterError, match="already exists"):
        export_features(tiny_corpus, out)
    (tiny_corpus / "texts" / "alpha-1.txt").write_text(" ", encoding="utf-8")
    with pytest.raises(ValueError, match="texts/alpha-1.txt: text: empty"):
        export_features(tiny_corpus, tmp_path / "never")
    assert not (tmp_path / "never").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
