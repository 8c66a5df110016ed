"""Cold vs warm load of a corpus held as texts: a re-run re-tokenises nothing.

    python benchmarks/cache.py [--articles 2000] [--repeats 5]

Imports ``--articles`` grown convention speeches as texts into a temporary corpus directory
(``python -m analysis import`` does the same), then times ``load_corpus``: cold (the features
cache ``<corpus>/cache/features/`` emptied first, so every text is tokenised) and warm (the cache
kept: each text's features are read back by the hash of its content). ``tokenised`` is how
many texts each load tokenised.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from analysis.corpus import load_corpus  # noqa: E402
from analysis.importing import corpus_from_frame  # noqa: E402


def build(root: Path, articles: list[common.Article]) -> Path:
    """Import the articles as texts into ``root``; return it."""
    frame = pd.DataFrame({"text": [a.text for a in articles], "outlet": [a.party for a in articles],
                          "url": [f"https://convention.test/{a.article_id}" for a in articles],
                          "published": "2012-09-01", "title": [a.speaker for a in articles], "language": "en"})
    corpus_from_frame(frame, root)
    return root


def measure(root: Path, repeats: int) -> list[dict]:
    """Return one row per load: state, seconds, texts tokenised."""
    rows = []
    for state in ("cold", "warm"):
        for _ in range(repeats):
            if state == "cold":
                shutil.rmtree(root / "cache" / "features", ignore_errors=True)
            start = time.perf_counter()
            corpus = load_corpus(root)
            rows.append({"state": state, "seconds": time.perf_counter() - start, "tokenised": len(corpus.tokenised),
                         "articles": len(corpus)})
    return rows


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    articles = common.load_grown(args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        root = build(Path(tmp) / "corpus", articles)
        rows = measure(root, args.repeats)
    summary = []
    for state in ("cold", "warm"):
        mine = [r for r in rows if r["state"] == state]
        summary.append({"state": state, "median_s": common.median(r["seconds"] for r in mine),
                        "tokenised": max(r["tokenised"] for r in mine), "articles": mine[0]["articles"],
                        "runs": len(mine)})
    summary[1]["speedup"] = summary[0]["median_s"] / summary[1]["median_s"]
    common.print_table(summary, ["state", "articles", "median_s", "tokenised", "runs", "speedup"])
    payload = {"megabytes": common.megabytes(a.text for a in articles), "rows": summary, "runs": rows}
    print(f"wrote {common.write_results('cache', payload)}")
    return payload


if __name__ == "__main__":
    main()
