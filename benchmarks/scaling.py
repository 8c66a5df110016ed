"""Full framing tables at 1x, 10x and 100x of a base corpus: time per step, peak memory, exponent.

    python benchmarks/scaling.py [--base 1000] [--scales 1,10,100]

The corpus is the grown convention corpus (``common.grow``): ``--base`` articles at 1x, so
100x is 100,000 articles. Each scale runs in a fresh interpreter and computes, from a JSONL file
of the texts, everything the notebooks tabulate that grows with the corpus:

* count: read the JSONL file lazily, featurise and count unigrams, bigrams and quoted phrases
  (all cores; the texts are never all in memory);
* fit: stop-word filtering and TF-IDF (``FramingVectorizer``);
* distinctive: mean TF-IDF differences per party (``distinctive_terms``);
* log_odds: each party vs the rest (``log_odds_table``);
* neighbours: each article's 10 most similar articles (``nearest_neighbours``: exact up to
  20,000 articles, projected and re-scored beyond; no article x article matrix).

The fitted exponent b of time ~ articles^b says how cost grows (1 = linear). At the second
scale (10x) the projected neighbours are also compared with exact ones (recall@10). TF-IDF is
kept in float32 (``FramingVectorizer(dtype=np.float32)``). "megabytes" is the JSONL file's size.
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


def pipeline(path: Path) -> tuple[dict, dict, dict]:
    """Run the framing pipeline on a JSONL corpus; return (seconds per step, peak MB per step, sizes)."""
    from analysis.framing import distinctive_terms, log_odds_table
    from analysis.similarity import nearest_neighbours
    from analysis.terms import FramingVectorizer

    seconds, peaks, state = {}, {}, {}

    def count():
        state["corpus"] = common.stream_corpus(path)

    steps = {
        "count": count,
        "fit": lambda: state.update(vec=FramingVectorizer(dtype=np.float32).fit(state["corpus"])),
        "distinctive": lambda: distinctive_terms(state["corpus"], state["vec"], "party"),
        "log_odds": lambda: log_odds_table(state["corpus"], state["vec"], "party"),
        "neighbours": lambda: nearest_neighbours(state["vec"].tfidf_, state["vec"].article_ids_, k=10),
    }
    for step, fn in steps.items():
        with common.PeakMemory() as memory:
            start = time.perf_counter()
            fn()
            seconds[step] = time.perf_counter() - start
        peaks[step] = memory.peak_mb
    corpus, vectorizer = state["corpus"], state["vec"]
    sizes = {"terms": len(vectorizer.terms_), "tfidf_nnz": int(vectorizer.tfidf_.nnz),
             "unigrams": len(corpus.unigrams.terms), "bigrams": len(corpus.bigrams.terms)}
    return seconds, peaks, sizes


def recall(articles: list[common.Article], k: int = 10) -> float:
    """Return the share of exact top-k neighbours the projected method finds."""
    from analysis.similarity import nearest_neighbours
    from analysis.terms import FramingVectorizer

    vec = FramingVectorizer(dtype=np.float32).fit(common.corpus_of(articles))
    exact = nearest_neighbours(vec.tfidf_, vec.article_ids_, k=k, method="exact")
    approx = nearest_neighbours(vec.tfidf_, vec.article_ids_, k=k, method="projected")
    pairs = lambda f: set(zip(f["article_id"], f["neighbour_id"]))  # noqa: E731
    return len(pairs(exact) & pairs(approx)) / len(exact)


def worker(n_articles: int, with_recall: bool) -> dict:
    path = common.grown_path(n_articles)
    size = path.stat().st_size / 1e6
    with common.PeakMemory() as memory:
        seconds, peaks, sizes = pipeline(path)
    out = {"articles": n_articles, "megabytes": size, "seconds": seconds, "total_s": sum(seconds.values()),
           "peak_mb": memory.peak_mb, "baseline_mb": memory.baseline_mb, "step_peak_mb": peaks, **sizes}
    if with_recall:
        out["projected_recall_at_10"] = recall(common.load_grown(n_articles))
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
    recall_at = scales[1] if len(scales) > 1 else scales[0]  # exact neighbours stay cheap up to 10x
    for scale in scales:
        common.grown_path(args.base * scale)  # made here, so the worker measures only the pipeline
        extra = ["--recall"] if scale == recall_at else []
        measured = common.run_isolated(Path(__file__), "--worker", str(args.base * scale), *extra)
        rows.append({"scale": f"{scale}x", **measured, **{f"{k}_s": v for k, v in measured["seconds"].items()}})
        print(f"{scale}x done: {measured['total_s']:.1f} s", file=sys.stderr)
    fits = {}
    if len(rows) > 1:
        n = [r["articles"] for r in rows]
        fits = {step: exponent(n, [r["seconds"][step] for r in rows]) for step in STEPS}
        fits["total"] = exponent(n, [r["total_s"] for r in rows])
    common.print_table(rows, ["scale", "articles", "megabytes", *[f"{s}_s" for s in STEPS], "total_s", "peak_mb", "terms"])
    print("peak MB per step: " + "; ".join(
        f"{r['scale']} " + ", ".join(f"{k} {v:.0f}" for k, v in r["step_peak_mb"].items()) for r in rows))
    if fits:
        print("fitted exponent b (time ~ articles^b): " + ", ".join(f"{k} {v:.2f}" for k, v in fits.items()))
    for row in rows:
        if "projected_recall_at_10" in row:
            print(f"projected neighbours recall@10 against exact at {row['articles']} articles: "
                  f"{row['projected_recall_at_10']:.3f}")
    payload = {"base": args.base, "rows": rows, "exponents": fits, "versions": common.versions("framediff", "scikit-learn", "scipy", "numpy")}
    print(f"wrote {common.write_results('scaling', payload)}")
    return payload


if __name__ == "__main__":
    main()
