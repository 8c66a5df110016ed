"""Profile the hot paths with pyinstrument: counting (one core), TF-IDF fit, neighbours.

    python benchmarks/hotpaths.py [--scale 10]

Prints a pyinstrument call tree per step (on one core, so the profile sees the work rather
than waiting on workers) and writes the top functions by own time to
``benchmarks/results/hotpaths.json``. This is how the fixes in ``benchmarks/README.md`` were
found; run it again after changing a hot path.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args(argv)
    from pyinstrument import Profiler

    from analysis.counting import count_texts
    from analysis.similarity import nearest_neighbours
    from analysis.terms import FramingVectorizer

    articles = common.load_grown(args.scale * common.BASE_SIZE)
    texts = [a.text for a in articles]
    corpus = common.corpus_of(articles)
    vec = FramingVectorizer(dtype=np.float32).fit(corpus)
    steps = {
        "count (1 core)": lambda: count_texts(texts, n_jobs=1),
        "fit": lambda: FramingVectorizer(dtype=np.float32).fit(corpus),
        "neighbours (projected)": lambda: nearest_neighbours(vec.tfidf_, vec.article_ids_, method="projected"),
    }
    summary = {}
    for name, fn in steps.items():
        profiler = Profiler(interval=0.001)
        profiler.start()
        fn()
        profiler.stop()
        print(f"\n=== {name} ===")
        print(profiler.output_text(unicode=False, color=False, show_all=False))
        summary[name] = profiler.last_session.duration
    print(f"wrote {common.write_results('hotpaths', {'articles': len(articles), 'seconds': summary})}")
    return summary


if __name__ == "__main__":
    main()
