"""Featurise + count throughput and peak memory: framediff vs scikit-learn vs scattertext.

    python benchmarks/throughput.py [--scale 50] [--repeats 5] [--split sentences]

Every tool turns the same grown convention corpus (``--scale`` copies of the 189 speeches, see
``common.grow``) into article x term counts of unigrams and bigrams:

* framediff: ``analysis.counting.count_texts`` (ngrams-v1, map over chunks on all cores);
  also on one core, to show what the parallel map adds;
* scikit-learn: ``CountVectorizer(ngram_range=(1, 2)).fit_transform``;
* scattertext: ``CorpusFromPandas(..., nlp=whitespace_nlp_with_sentences).build()``, its
  documented spaCy-free corpus build.

``--split sentences`` makes a corpus of short texts from the same speeches: every sentence an
article (about 130 bytes each, as short as product reviews or social-media posts), where the
per-text cost of a tool counts for more than on speeches. Its figures go to
``results/throughput-short.json``.

Every run of every tool is a fresh interpreter (so neither another tool's heap nor the
allocator's history of earlier runs counts), ``--repeats`` runs per tool, interleaved; the
table gives the median time (as MB/s) and the median of each run's peak memory of the process
tree (the parent plus any workers; PSS, see ``common.PeakMemory``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

TOOLS = ("framediff", "framediff-1-core", "scikit-learn", "scattertext")


def _work(tool: str, articles: list) -> Callable[[], object]:
    """Return a zero-argument function that featurises and counts the articles with ``tool``."""
    texts = [a.text for a in articles]
    if tool.startswith("framediff"):
        from analysis.counting import count_texts

        jobs = 1 if tool == "framediff-1-core" else -1
        return lambda: count_texts(texts, n_jobs=jobs)[1]["bigrams"].matrix.shape
    if tool == "scikit-learn":
        from sklearn.feature_extraction.text import CountVectorizer

        return lambda: CountVectorizer(ngram_range=(1, 2)).fit_transform(texts).shape
    if tool == "scattertext":
        import pandas as pd
        import scattertext as st

        frame = pd.DataFrame({"party": [a.party for a in articles], "text": texts})
        return lambda: st.CorpusFromPandas(frame, category_col="party", text_col="text",
                                           nlp=st.whitespace_nlp_with_sentences).build().get_num_terms()
    raise ValueError(tool)


def corpus(scale: int, split: str) -> list:
    """Return the grown convention corpus, whole speeches or (``split="sentences"``) one sentence per article."""
    articles = common.load_grown(scale * common.BASE_SIZE)
    if split == "none":
        return articles
    from analysis.kwic import sentences

    return [common.Article(f"{a.article_id}-s{i:04d}", a.party, a.speaker, s)
            for a in articles for i, s in enumerate(sentences(a.text))]


def worker(tool: str, scale: int, repeats: int, split: str = "none") -> dict:
    """Measure one tool in this interpreter; return its timings and memory."""
    articles = corpus(scale, split)
    fn = _work(tool, articles)
    times, peak, result = common.timed(fn, repeats)
    return {"tool": tool, "times_s": times, "peak_mb": peak, "result": str(result)}


def available(tool: str) -> bool:
    """Return whether a peer tool is importable here (framediff and scikit-learn always are)."""
    if tool != "scattertext":
        return True
    from importlib.util import find_spec

    return find_spec("scattertext") is not None and find_spec("spacy") is not None


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=50, help="copies of the 189-speech base corpus (50: 38 MB)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--split", choices=("none", "sentences"), default="none",
                        help="sentences: one sentence per article (a corpus of short texts)")
    parser.add_argument("--worker", choices=TOOLS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.scale, args.repeats, args.split)))
        return {}
    articles = corpus(args.scale, args.split)
    size = common.megabytes(a.text for a in articles)
    tools = [t for t in TOOLS if available(t)]
    for tool in set(TOOLS) - set(tools):
        print(f"skipping {tool}: not installed here (make bench installs it)", file=sys.stderr)
    runs = {tool: [] for tool in tools}
    for _ in range(args.repeats):  # interleaved, so a slow spell of the machine hits every tool
        for tool in tools:
            runs[tool].append(common.run_isolated(Path(__file__), "--worker", tool, "--scale", str(args.scale),
                                                  "--repeats", "1", "--split", args.split))
    rows = []
    for tool in tools:
        times = [r["times_s"][0] for r in runs[tool]]
        peaks = [r["peak_mb"] for r in runs[tool]]
        seconds = common.median(times)
        rows.append({"tool": tool, "median_s": seconds, "mb_per_s": size / seconds, "peak_mb": common.median(peaks),
                     "max_peak_mb": max(peaks), "runs": len(times), "times_s": times, "peaks_mb": peaks})
    by_tool = {r["tool"]: r for r in rows}
    ours = by_tool["framediff"]
    for r in rows:
        r["framediff_speedup"] = r["median_s"] / ours["median_s"]
        r["framediff_memory_ratio"] = ours["peak_mb"] / r["peak_mb"]
    print(f"{len(articles)} articles ({size * 1e6 / len(articles):.0f} bytes each), {size:.1f} MB, "
          f"median of {args.repeats} runs")
    common.print_table(rows, ["tool", "median_s", "mb_per_s", "peak_mb", "max_peak_mb", "framediff_speedup",
                              "framediff_memory_ratio"])
    heaps = common.vocabulary_growth(articles)
    print(f"vocabulary growth (Heaps' law V = K N^beta over the grown corpus): beta = {heaps['beta']:.2f}")
    payload = {"articles": len(articles), "megabytes": size, "split": args.split, "repeats": args.repeats,
               "rows": rows, "heaps": heaps, "versions": common.versions("framediff", "scikit-learn", "scattertext", "joblib")}
    name = "throughput" if args.split == "none" else "throughput-short"
    print(f"wrote {common.write_results(name, payload)}")
    return payload


if __name__ == "__main__":
    main()
