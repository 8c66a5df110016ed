"""Smoke tests: every benchmark runs end to end at tiny scale (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from analysis.similarity import nearest_neighbours

from .conftest import ROOT
from .test_counting import TEXTS

BENCH = ROOT / "benchmarks"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    base = [{"party": "democrat" if i % 2 else "republican", "speaker": f"s{i}", "text": t}
            for i, t in enumerate(TEXTS * 2) if t]
    (tmp / "base.json").write_text(json.dumps(base), encoding="utf-8")
    import os

    return {**os.environ, "FRAMEDIFF_BENCH_BASE": str(tmp / "base.json"), "FRAMEDIFF_BENCH_RESULTS": str(tmp)}, tmp


@pytest.mark.parametrize("script, args", [
    ("throughput.py", ["--scale", "2", "--repeats", "1"]),
    ("agreement.py", []),
    ("cache.py", ["--articles", "6", "--repeats", "1"]),
    ("scaling.py", ["--base", "6", "--scales", "1,2"]),
    ("dask_path.py", ["--scale", "1", "--partitions", "3", "--repeats", "1"]),
    ("hotpaths.py", ["--scale", "1"]),
    ("report.py", []),
])
def test_benchmark_runs_and_writes_results(env, script, args):
    environ, tmp = env
    proc = subprocess.run([sys.executable, str(BENCH / script), *args], env=environ, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    if script == "report.py":  # the table of targets, from the results the scripts above wrote
        table = (tmp / "RESULTS.md").read_text(encoding="utf-8")
        assert "| featurise + count ≥ 2x scikit-learn throughput" in table
        assert "| warm re-load tokenises nothing (5 texts) | tokenised 0 (cold 5)" in table
        return
    result = json.loads((tmp / f"{script[:-3]}.json").read_text(encoding="utf-8"))
    assert result["benchmark"] == script[:-3] and result["machine"]["cpus"] >= 1
    if script == "cache.py":
        warm = [r for r in result["rows"] if r["state"] == "warm"][0]
        # 6 articles, 5 distinct texts: identical texts share one cache entry
        assert warm["tokenised"] == 0 and result["rows"][0]["tokenised"] == 5


def test_nearest_neighbours_exact_and_projected_agree_on_a_small_corpus():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    docs = [t for t in TEXTS if t] * 2 + ["alpha beta gamma", "alpha beta delta"]
    tfidf = TfidfVectorizer().fit_transform(docs)
    ids = [f"a{i}" for i in range(len(docs))]
    exact = nearest_neighbours(tfidf, ids, k=2, method="exact", block_size=3)
    sims = cosine_similarity(tfidf)
    np.fill_diagonal(sims, -1)
    best = {ids[i]: sims[i].max() for i in range(len(ids))}
    first = exact[exact["rank"] == 1].set_index("article_id")["similarity"]
    assert all(abs(first[a] - best[a]) < 1e-12 for a in ids)
    assert (exact["article_id"] != exact["neighbour_id"]).all()
    projected = nearest_neighbours(tfidf, ids, k=2, method="projected", block_size=3, oversample=20)
    # every pair is a candidate here, so re-scoring finds the exact neighbours (sums in another order)
    assert projected[["article_id", "rank", "neighbour_id"]].equals(exact[["article_id", "rank", "neighbour_id"]])
    assert np.allclose(projected["similarity"], exact["similarity"], rtol=0, atol=1e-12)


def test_copies_benchmark_runs_at_tiny_scale():
    result = subprocess.run([sys.executable, str(BENCH / "copies.py"), "300"], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    header, row = result.stdout.strip().splitlines()
    assert header.split() == ["articles", "seconds", "peak_MiB", "planted", "recall", "links", "extra_links"]
    assert row.split()[0] == "300" and row.split()[3] == "6" and row.split()[4] == "1.0"


def test_every_notebook_runs_on_thousands_of_generated_articles(tmp_path):
    """The study at scale: 2,500 generated articles (and RT's) through notebooks 01-05, as a user's export would go."""
    import pandas as pd

    environ = {**__import__("os").environ, "FRAMEDIFF_BENCH_RESULTS": str(tmp_path)}
    proc = subprocess.run([sys.executable, str(BENCH / "study_scale.py"), "2500", "--work", str(tmp_path)],
                          env=environ, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp_path / "study_scale.json").read_text(encoding="utf-8"))
    steps = [r["step"] for r in result["rows"]]
    assert steps[2:7] == ["01-corpus", "02-distinctive-terms", "03-similarity", "04-naming-and-quotes", "05-context"]
    tables = tmp_path / "reports-2500" / "en" / "tables"
    # planted copies (their titles name the original) are found
    articles = pd.read_csv(tmp_path / "corpus-2500" / "articles.csv", keep_default_na=False)
    planted = {frozenset((a, t.removeprefix("copy of "))) for a, t in zip(articles.article_id, articles.title) if t}
    pairs = pd.read_csv(tables / "copy_pairs.csv")
    found = {frozenset(p) for p in pairs[["article_id_a", "article_id_b"]].itertuples(index=False)}
    assert len(planted) == 50 and len(planted & found) / len(planted) >= 0.95
    # above 2,000 articles: each article's 20 nearest, outlets in the heatmap (and the notebook says so)
    similar = pd.read_csv(tables / "similarity_pairs.csv")
    compared = set(pd.read_csv(tables / "projection.csv").article_id)  # after dedupe
    assert set(similar.article_id_a) | set(similar.article_id_b) == compared and len(similar) <= 20 * len(compared)
    assert "too many for an article x article figure" in (tmp_path / "reports-2500" / "en" / "03-similarity.ipynb").read_text()
    # term tables keep at most 50,000 terms per comparison; sentences come from at most 50 articles per term
    assert pd.read_csv(tables / "log_odds.csv").groupby("comparison").size().max() <= 50_000
    kwic = pd.read_csv(tables / "keywords_in_context.csv")
    assert kwic.groupby(["selected_by", "term"])["article_id"].nunique().max() <= 50
