"""The whole study at scale: every notebook on generated corpora of 1,000 to 100,000 articles.

A generated corpus (:func:`make_study_corpus`) is imported the way a researcher imports an
export (``python -m analysis import jsonl``): ``n`` English articles from 40 outlets in the five
coded groups, plus RT's article (the seed, whose text ships in ``corpus/texts``). Each generated
article is 8-14 sentences; a sentence is one of RT's sentences with 40% of its words replaced by
pseudo-words drawn from a Zipf distribution (a = 1.3) whose ranks each group shifts, so groups
differ in their words, the lexicon's names (Kiev, referendum, ...) occur, and rare words keep
arriving as Heaps' law says they do. 2% of articles are planted copies (another article with 10%
of its words replaced; its title says "copy of <article_id>").

Each notebook then runs alone with ``python -m analysis run --notebooks <name>`` in a fresh
process tree (the first run of a size also featurises the texts: "cold load"). Recorded per
notebook: wall seconds and the peak resident memory of the largest process (the kernel,
almost always), from the kernel's and workers' own ``getrusage`` as the run reaps them. The
fitted exponent b of time ~ n^b is over the sizes run. Usage:
``python benchmarks/study_scale.py [n ...]`` (default 1000 5000 20000; ``make bench`` adds 100000).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from common import print_table, pseudo_word, write_results  # noqa: E402

GROUPS = ("russian-state", "ukrainian", "western", "russian-independent", "non-aligned")
SEED_ID = "rt-2022-08-08"
NOTEBOOKS = ("01-corpus", "02-distinctive-terms", "03-similarity", "04-naming-and-quotes", "05-context")


def _seed_text() -> str:
    """Return RT's article (the shipped seed text)."""
    return (ROOT / "corpus" / "texts" / f"{SEED_ID}.txt").read_text(encoding="utf-8").strip()


def _sentences() -> list[list[str]]:
    """Return RT's sentences as word lists (the generator's real-English material)."""
    return [s.split() for s in re.split(r"(?<=[.!?])\s+", _seed_text()) if len(s.split()) >= 4]


def _article(rng: np.random.Generator, sentences: list[list[str]], group: int, share: float = 0.4) -> str:
    """Return one generated article: RT sentences with a share of words replaced by group-shifted pseudo-words."""
    out = []
    for index in rng.integers(len(sentences), size=int(rng.integers(8, 15))):
        words = list(sentences[index])
        for position in np.flatnonzero(rng.random(len(words)) < share):
            words[position] = pseudo_word(int(rng.zipf(1.3)) * len(GROUPS) + group)
        out.append(" ".join(words))
    return " ".join(out)


def generated_rows(n: int, seed: int = 0, copies: float = 0.02) -> list[dict]:
    """Return ``n`` generated article records (text, outlet, url, published, language, article_id) and RT's."""
    rng = np.random.default_rng(seed)
    sentences = _sentences()
    rows = []
    n_copies = int(n * copies)
    for i in range(n):
        outlet = i % 40
        if i >= n - n_copies:  # a planted copy of an earlier (original) article
            source = rows[int(rng.integers(n - n_copies))]["article_id"]
            words = rows[int(source[4:])]["text"].split()
            for position in np.flatnonzero(rng.random(len(words)) < 0.10):
                words[position] = pseudo_word(int(rng.zipf(1.3)))
            text, title = " ".join(words), f"copy of {source}"
        else:
            text, title = _article(rng, sentences, outlet % len(GROUPS)), ""
        rows.append({"text": text, "outlet": f"Outlet {outlet:02d}", "url": f"https://example.test/{i}",
                     "published": "2022-08-08", "language": "en", "title": title, "article_id": f"gen-{i:06d}"})
    rows.append({"title": "", "text": _seed_text(), "outlet": "RT", "url": "https://www.rt.com/russia/560341", "published": "2022-08-08",
                 "language": "en", "article_id": SEED_ID})
    return rows


def make_study_corpus(n: int, into: Path, seed: int = 0) -> Path:
    """Import a generated corpus of ``n`` articles (and the seed) into ``into``; return it.

    Outlets are coded into the five groups (``Outlet 07`` -> group 7 mod 5; RT russian-state),
    and the shipped lexicons, context lists and stop-word settings are copied beside them.
    """
    import pandas as pd

    from analysis.importing import corpus_from_frame

    into = Path(into)
    corpus_from_frame(pd.DataFrame(generated_rows(n, seed)), into)
    outlets = pd.read_csv(into / "outlets.csv", dtype=str, keep_default_na=False)
    number = outlets["name"].str.extract(r"(\d+)$")[0]
    outlets["group"] = [GROUPS[int(k) % len(GROUPS)] if isinstance(k, str) else "russian-state" for k in number]
    outlets.to_csv(into / "outlets.csv", index=False)
    for folder in ("lexicons", "context", "stopwords"):
        if (ROOT / "corpus" / folder).is_dir():
            shutil.copytree(ROOT / "corpus" / folder, into / folder, dirs_exist_ok=True)
    return into


def _measured(command: list[str]) -> dict:
    """Run ``command`` in a fresh process tree; return its seconds and its largest process's peak RSS (MB)."""
    probe = ("import json, resource, subprocess, sys, time; t = time.perf_counter(); "
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "print(json.dumps({'seconds': time.perf_counter() - t, 'rc': p.returncode, 'err': p.stderr[-2000:], "
             "'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))")
    out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result.pop("rc"):
        raise RuntimeError(f"{' '.join(command[3:6])} failed:\n{result['err']}")
    result.pop("err")
    return result


def measure(n: int, work: Path, notebooks=NOTEBOOKS) -> list[dict]:
    """Return one row per step (import, cold load, each notebook) for a generated corpus of ``n`` articles."""
    corpus = work / f"corpus-{n}"
    shutil.rmtree(corpus, ignore_errors=True)
    start = time.perf_counter()
    make_study_corpus(n, corpus)
    rows = [{"articles": n, "step": "import (generate + import jsonl)", "seconds": time.perf_counter() - start}]
    python = [sys.executable, "-m", "analysis"]
    rows.append({"articles": n, "step": "cold load (featurise)",
                 **_measured([*python, "validate", str(corpus)])})
    for name in notebooks:
        step = _measured([*python, "run", "--language", "en", "--notebooks", name, "--reports", str(work / f"reports-{n}"),
                          "--param", f"corpus_dir={corpus}", "--param", f"seed_id={SEED_ID}"])
        rows.append({"articles": n, "step": name, **step})
    return rows


def exponents(rows: list[dict]) -> dict:
    """Return the fitted b of seconds ~ n^b per step (over the sizes measured)."""
    out = {}
    for step in dict.fromkeys(r["step"] for r in rows):
        points = [(r["articles"], r["seconds"]) for r in rows if r["step"] == step]
        if len(points) >= 2:
            x, y = np.log([p[0] for p in points]), np.log([max(p[1], 1e-3) for p in points])
            out[step] = round(float(np.polyfit(x, y, 1)[0]), 2)
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 5000, 20000], help="articles per generated corpus")
    parser.add_argument("--work", help="keep the generated corpora and reports here (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="framediff-study-scale-") as tmp:
        work = Path(args.work or tmp)
        rows = []
        for n in args.sizes:
            rows += measure(n, work)
            print_table([r for r in rows if r["articles"] == n], ["articles", "step", "seconds", "peak_mb"])
            sys.stdout.flush()
    totals = [{"articles": n, "step": "all notebooks",
               "seconds": sum(r["seconds"] for r in rows if r["articles"] == n and r["step"] in NOTEBOOKS),
               "peak_mb": max(r.get("peak_mb", 0) for r in rows if r["articles"] == n)} for n in args.sizes]
    fitted = exponents(rows + totals)
    print("\nall notebooks:")
    print_table(totals, ["articles", "seconds", "peak_mb"])
    print("fitted exponent b (seconds ~ n^b):", fitted)
    payload = {"sizes": args.sizes, "rows": rows + totals, "exponents": fitted}
    print(f"wrote {write_results('study_scale', payload)}")
    return payload


if __name__ == "__main__":
    main()
