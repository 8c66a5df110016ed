"""Naming lexicons and context items: researcher-edited YAML matched against article counts.

A *signal* is a word (``kyiv``), a word pair (``sham referendum``) or a quoted phrase
(``'"referendum"'``, matched against the scare-quote counts). A trailing ``*`` on a word matches
any ending (``оккупант*``), for inflected languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .corpus import Corpus, TermCounts
from .errors import FramediffError
from .features import KINDS, fold, normalise
from .paths import resource


class LexiconError(FramediffError, ValueError):
    """A lexicon or context file is missing or malformed; the message names file and entry."""


@dataclass(frozen=True)
class Signal:
    """One matchable signal: which counts it reads and a regular expression over their terms."""

    kind: str  # "unigrams", "bigrams" or "quoted"
    pattern: re.Pattern
    words: tuple[str, ...]

    @property
    def prefix(self) -> str:
        """Return the literal text every match begins with (its first word, or that word's stem before ``*``)."""
        first = self.words[0]
        return first[:-1] if first.endswith("*") else first + (" " if len(self.words) > 1 else "")

    def columns(self, counts: TermCounts) -> np.ndarray:
        """Return the positions of the terms this signal matches (only terms sharing its prefix are tried)."""
        start, stop = counts.prefix_range(self.prefix)
        match = self.pattern.fullmatch
        return start + np.array([i for i, t in enumerate(counts.terms[start:stop]) if match(t)], dtype=int)


def parse_signal(raw: str, where: str) -> Signal:
    """Return the Signal a lexicon string denotes; raise LexiconError naming ``where`` if invalid."""
    text = str(raw).strip()
    quoted = len(text) > 2 and text[0] == text[-1] == '"'
    if quoted:
        text = text[1:-1]
    words = tuple(fold(normalise(text)).split())
    if not words or len(words) > (3 if quoted else 2):
        raise LexiconError(f"{where}: signal {raw!r} must have 1-2 words (1-3 in quotes)")
    parts = [re.escape(w[:-1]) + r"[^ ]*" if w.endswith("*") else re.escape(w) for w in words]
    kind = "quoted" if quoted else ("unigrams" if len(words) == 1 else "bigrams")
    return Signal(kind, re.compile(" ".join(parts)), words)


def _resource_file(root: str | Path, kind: str, language: str) -> Path:
    """Return the corpus's (or the embedded) ``<kind>/<language>.yaml``; raise LexiconError if neither exists."""
    path, _ = resource(root, kind, f"{language}.yaml")
    if path is None:
        own = Path(root) / kind
        available = sorted({p.stem for p in own.glob("*.yaml")} | {p.stem for p in resource_dir(kind).glob("*.yaml")})
        raise LexiconError(f"{own / (language + '.yaml')}: file: missing (no {kind} file for this language; "
                           f"available: {', '.join(available) or 'none'})")
    return path


def resource_dir(kind: str) -> Path:
    """Return the embedded corpus's folder of ``kind`` files."""
    from .paths import EMBEDDED_CORPUS

    return EMBEDDED_CORPUS / kind


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path}: file: not valid UTF-8 YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: file: must be a mapping")
    return data


def _entry_signals(entry, where: str, key: str) -> tuple[Signal, ...]:
    """Return the parsed signals of one YAML entry that must have ``key`` and ``signals``.

    ``signals: []`` is allowed: a language with no form of its own for a variant keeps the
    variant (so that files align across languages) and says so in a comment.
    """
    if not isinstance(entry, dict) or not entry.get(key) or entry.get("signals") is None:
        raise LexiconError(f"{where}: needs a {key} and a list of signals")
    if not isinstance(entry["signals"], list):
        raise LexiconError(f"{where}: signals must be a list")
    return tuple(parse_signal(s, where) for s in entry["signals"])


@dataclass(frozen=True)
class Variant:
    """One competing name for a concept, with its signals."""

    concept: str
    name: str
    signals: tuple[Signal, ...]
    unmarked: bool = False


def load_lexicon(root: str | Path, language: str) -> list[Variant]:
    """Return the variants of ``<root>/lexicons/<language>.yaml`` (or the embedded one) in file order."""
    path = _resource_file(root, "lexicons", language)
    data = _read_yaml(path)
    variants = []
    concepts = data.get("concepts")
    if not isinstance(concepts, dict) or not concepts:
        raise LexiconError(f"{path}: concepts: missing or empty")
    for concept, body in concepts.items():
        entries = (body or {}).get("variants") if isinstance(body, dict) else None
        if not isinstance(entries, list) or len(entries) < 2:
            raise LexiconError(f"{path}: {concept}: needs a list of at least two variants")
        for i, entry in enumerate(entries):
            signals = _entry_signals(entry, f"{path}: {concept}.variants[{i}]", "name")
            variants.append(Variant(concept, str(entry["name"]), signals, bool(entry.get("unmarked"))))
    return variants


@dataclass(frozen=True)
class ContextItem:
    """A background item a report may include or omit."""

    id: str
    label: str
    signals: tuple[Signal, ...]


def load_context(root: str | Path, language: str) -> list[ContextItem]:
    """Return the items of ``<root>/context/<language>.yaml`` in file order."""
    path = _resource_file(root, "context", language)
    items = _read_yaml(path).get("items")
    if not isinstance(items, list) or not items:
        raise LexiconError(f"{path}: items: missing or empty")
    result = []
    for i, entry in enumerate(items):
        signals = _entry_signals(entry, f"{path}: items[{i}]", "id")
        result.append(ContextItem(str(entry["id"]), str(entry.get("label", entry["id"])), signals))
    return result


def signal_counts(corpus: Corpus, signals: tuple[Signal, ...]) -> np.ndarray:
    """Return per-article counts of the terms any of ``signals`` matches (each term once)."""
    total = np.zeros(len(corpus), dtype=np.int64)
    for kind in KINDS:
        counts = corpus.counts[kind]
        cols = [s.columns(counts) for s in signals if s.kind == kind]
        if cols:
            union = np.unique(np.concatenate(cols))
            total += np.asarray(counts.matrix[:, union].sum(axis=1)).ravel().astype(np.int64)
    return total


def added_stop_words(root: str | Path, languages) -> frozenset[str]:
    """Return the words ``stopwords/add.yaml`` (the corpus's own, else the embedded one) adds for ``languages``."""
    path, _ = resource(root, "stopwords", "add.yaml")
    added = (yaml.safe_load(path.read_text(encoding="utf-8")) if path is not None else None) or {}
    if not isinstance(added, dict) or not all(isinstance(v, list) for v in added.values()):
        raise LexiconError(f"{path}: expected language: [word, ...] entries")
    return frozenset(str(w).lower() for language in languages for w in added.get(language) or [])


def protected_patterns(root: str | Path, languages, strict: bool = True) -> list[re.Pattern]:
    """Return patterns of words and pairs that stop-word filtering must keep for ``languages``.

    They are the signals of each language's lexicon and context file (the corpus's own, else the
    embedded ones, when present) and the words of ``stopwords/keep.yaml``. A pair signal
    protects the pair, not its words. Pass the result to ``FramingVectorizer(protect=...)``.
    With ``strict=False`` a malformed file protects nothing instead of raising (a study that
    reports the file's error itself).
    """
    patterns = []
    keep_file, _ = resource(root, "stopwords", "keep.yaml")
    keep = yaml.safe_load(keep_file.read_text(encoding="utf-8")) if keep_file is not None else {}
    for language in languages:
        patterns += [re.compile(re.escape(w)) for w in (keep or {}).get(language, []) or []]
        signals = []
        for kind, load in (("lexicons", load_lexicon), ("context", load_context)):
            if resource(root, kind, f"{language}.yaml")[0] is None:
                continue
            try:
                entries = load(root, language)
            except LexiconError:
                if strict:
                    raise
                continue
            signals += [s for entry in entries for s in entry.signals]
        patterns += [signal.pattern for signal in signals]
    return patterns


def signal_usage(corpus: Corpus, root: str | Path, language: str) -> pd.DataFrame:
    """Return how often each lexicon and context signal of ``language`` occurs in ``corpus``'s articles in it.

    One row per signal: ``file`` (lexicons / context), ``entry`` (concept: variant, or item id),
    ``signal`` as written, ``count`` (total in the language's articles), ``n_articles`` and
    ``forms`` (the matched terms, most frequent first). A signal with count 0 is one this corpus
    never uses: check its spelling, or keep it for corpora that do.
    """
    articles = corpus.select(language=language) if language in set(corpus.articles["language"]) else None
    entries = [("lexicons", f"{v.concept}: {v.name}", v.signals) for v in load_lexicon(root, language)]
    entries += [("context", item.id, item.signals) for item in load_context(root, language)]
    rows = []
    for file, entry, signals in entries:
        for signal in signals:
            written = ('"%s"' if signal.kind == "quoted" else "%s") % " ".join(signal.words)
            if articles is None:
                rows.append((file, entry, written, 0, 0, ""))
                continue
            counts = articles.counts[signal.kind]
            cols = signal.columns(counts)
            per_article = np.asarray(counts.matrix[:, cols].sum(axis=1)).ravel()
            totals = np.asarray(counts.matrix[:, cols].sum(axis=0)).ravel()
            order = np.lexsort((counts.terms[cols], -totals))
            forms = ", ".join(f"{counts.terms[cols][i]} {int(totals[i])}" for i in order[:5])
            rows.append((file, entry, written, int(per_article.sum()), int((per_article > 0).sum()), forms))
    return pd.DataFrame(rows, columns=["file", "entry", "signal", "count", "n_articles", "forms"])
