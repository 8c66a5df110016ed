"""Wire-copy detection at scale: time, peak memory, candidates and recall on planted copies.

A generated corpus: ``n`` independent articles of 250 tokens drawn from a Zipf distribution over
pseudo-words (a = 1.15: frequent words recur across articles, rare ones are new), and 2% planted
copies, each an article with 10% of its tokens replaced. CopyDetector (inverted index of rare
word pairs, exact scoring of candidates; no article x article matrix) must find the planted
copies (recall) without linking independent articles (extra links). Usage:
``python benchmarks/copies.py [n ...]`` (default 1000 5000 20000).
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))

from analysis.corpus import Corpus, TermCounts  # noqa: E402
from analysis.counting import count_texts  # noqa: E402
from analysis.similarity import CopyDetector  # noqa: E402


def planted_corpus(n: int, share_copies: float = 0.02, tokens: int = 250, seed: int = 0) -> tuple[Corpus, set]:
    """Return a corpus of ``n`` generated articles with planted copies, and the planted (original, copy) pairs."""
    rng = np.random.default_rng(seed)
    n_copies = int(n * share_copies)
    n_base = n - n_copies
    texts = [" ".join(f"w{r}" for r in rng.zipf(1.15, tokens)) + "." for _ in range(n_base)]
    planted, relation = set(), ["original"] * n_base
    for k in range(n_copies):
        source = int(rng.integers(n_base))
        words = texts[source][:-1].split()
        for position in np.flatnonzero(rng.random(len(words)) < 0.10):
            words[position] = f"w{int(rng.zipf(1.15))}"
        texts.append(" ".join(words) + ".")
        planted.add(frozenset((f"a{source:06d}", f"a{n_base + k:06d}")))
        relation.append("copy")
    ids = tuple(f"a{i:06d}" for i in range(n))
    n_tokens, counts = count_texts(texts)
    frame = pd.DataFrame({"article_id": ids, "relation": relation, "n_tokens": n_tokens, "language": "en",
                          "group": "g"})
    return Corpus(None, frame, {k: TermCounts(tc.matrix, tc.terms, ids) for k, tc in counts.items()}), planted


def measure(n: int) -> dict:
    """Return the detector's time, peak memory, links and recall on a planted corpus of ``n`` articles."""
    corpus, planted = planted_corpus(n)
    tracemalloc.start()
    start = time.perf_counter()
    detector = CopyDetector().fit(corpus)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    found = {frozenset(p) for p in detector.pairs_[["article_id_a", "article_id_b"]].itertuples(index=False)}
    return {"articles": n, "seconds": round(seconds, 2), "peak_MiB": round(peak, 1), "planted": len(planted),
            "recall": round(len(found & planted) / len(planted), 3), "links": len(found),
            "extra_links": len(found - planted)}


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 5000, 20000]
    rows = [measure(n) for n in sizes]
    print(pd.DataFrame(rows).to_string(index=False))
