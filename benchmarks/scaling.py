"""Full framing tables at 1x, 10x and 100x of a base corpus: time per step, peak memory, exponent.

    python benchmarks/scaling.py [--base 1000] [--scales 1,10,100]

The corpus is the grown convention corpus (``common.grow``): ``--base`` articles at 1x, so
100x is 100,000 articles. Each scale runs in a fresh interpreter and computes, from the texts
in memory, everything the notebooks tabulate that grows with the corpus:

* count: featurise and count unigrams, bigrams and quoted phrases (all cores);
* fit: stop-word filtering and TF-IDF (``FramingVectorizer``);
* distinctive: mean TF-IDF differences per party (``distinctive_terms``);
* log_odds: each party vs the rest (``log_odds_table``);
* neighbours: each article's 10 most similar articles (``nearest_neighbours``: exact up to
  20,000 articles, projected and re-scored beyond; no article x article matrix).

The fitted exponent b of time ~ articles^b says how cost grows (1 = linear). At the smallest
scale the projected neighbours are also compared with exact ones (recall@10).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

STEPS = ("count", "fit", "distinctive", "log_odds", "neighbours")


def pipeline(articles: list[common.Article]) -> tuple[dict, dict]:
    """Run the framing pipeline; return (seconds per step, sizes)."""
    from agreement import corpus_of

    from analysis.framing import distinctive_terms, log_odds_table
    from analysis.similarity import nearest_neighbours
    from analysis.terms import FramingVectorizer

    seconds = {}
    start = time.perf_counter()
    corpus = corpus_of(articles)
    seconds["count"] = time.perf_counter() - start
    for step, fn in (("fit", lambda: FramingVectorizer().fit(corpus)),):
        start = time.perf_counter()
        vectorizer = fn()
        seconds[step] = time.perf_counter() - start
    tables = {}
    for step, fn in (("distinctive", lambda: distinctive_terms(corpus, vectorizer, "party")),
                     ("log_odds", lambda: log_odds_table(corpus, vectorizer, "party")),
                     ("neighbours", lambda: nearest_neighbours(vectorizer.tfidf_, vectorizer.article_ids_, k=10))):
        start = time.perf_counter()
        tables[step] = fn()
        seconds[step] = time.perf_counter() - start
    sizes = {"terms": len(vectorizer.terms_), "tfidf_nnz": int(vectorizer.tfidf_.nnz),
             "unigrams": len(corpus.unigrams.terms), "bigrams": len(corpus.bigrams.terms)}
    return seconds, sizes


def recall(articles: list[common.Article], k: int = 10) -> float:
    """Return the share of exact top-k neighbours the projected method finds."""
    from agreement import corpus_of

    from analysis.similarity import nearest_neighbours
    from analysis.terms import FramingVectorizer

    vec = FramingVectorizer().fit(corpus_of(articles))
    exact = nearest_neighbours(vec.tfidf_, vec.article_ids_, k=k, method="exact")
    approx = nearest_neighbours(vec.tfidf_, vec.article_ids_, k=k, method="projected")
    pairs = lambda f: set(zip(f["article_id"], f["neighbour_id"]))  # noqa: E731
    return len(pairs(exact) & pairs(approx)) / len(exact)


def worker(n_articles: int, with_recall: bool) -> dict:
    articles = common.load_grown(n_articles)
    size = common.megabytes(a.text for a in articles)
    with common.PeakMemory() as memory:
        seconds, sizes = pipeline(articles)
    out = {"articles": n_articles, "megabytes": size, "seconds": seconds, "total_s": sum(seconds.values()),
           "peak_mb": memory.peak_mb, "baseline_mb": memory.baseline_mb, **sizes}
    if with_recall:
        out["projected_recall_at_10"] = recall(articles)
    return out


def exponent(xs, ys) -> float:
    """Return b of the least-squares fit log y = a + b log x."""
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=int, default=1000, help="articles at 1x")
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--recall", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.recall)))
        return {}
    scales = [int(s) for s in args.scales.split(",")]
    rows = []
    for i, scale in enumerate(scales):
        extra = ["--recall"] if i == 0 else []
        measured = common.run_isolated(Path(__file__), "--worker", str(args.base * scale), *extra)
        rows.append({"scale": f"{scale}x", **measured, **{f"{k}_s": v for k, v in measured["seconds"].items()}})
        print(f"{scale}x done: {measured['total_s']:.1f} s", file=sys.stderr)
    fits = {}
    if len(rows) > 1:
        n = [r["articles"] for r in rows]
        fits = {step: exponent(n, [r["seconds"][step] for r in rows]) for step in STEPS}
        fits["total"] = exponent(n, [r["total_s"] for r in rows])
    common.print_table(rows, ["scale", "articles", "megabytes", *[f"{s}_s" for s in STEPS], "total_s", "peak_mb", "terms"])
    if fits:
        print("fitted exponent b (time ~ articles^b): " + ", ".join(f"{k} {v:.2f}" for k, v in fits.items()))
    if "projected_recall_at_10" in rows[0]:
        print(f"projected neighbours recall@10 against exact at {rows[0]['articles']} articles: "
              f"{rows[0]['projected_recall_at_10']:.3f}")
    payload = {"base": args.base, "rows": rows, "exponents": fits, "versions": common.versions("framediff", "scikit-learn", "scipy", "numpy")}
    print(f"wrote {common.write_results('scaling', payload)}")
    return payload


if __name__ == "__main__":
    main()
