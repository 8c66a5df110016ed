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
