"""The ``ngrams-v1`` article features: word, word-pair and scare-quote counts.

Implements ``corpus/FEATURES-SPEC.md`` exactly, so an article held as text and an
article held only as features are counted the same way. The spec is the authority;
the step numbers in comments refer to it. Two helpers outside the spec read texts only:
:func:`without_quotations` (speech set aside, for copy detection) and :func:`sentences`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

TOKENIZER = "ngrams-v1"
KINDS = ("unigrams", "bigrams", "quoted")  # the count maps of a features document

# Step 2: punctuation folding (chained str.replace of the characters present: 60x faster than
# str.translate with a mapping table).
_FOLDS = (
    ("\u2019", "'"), ("\u2018", "'"), ("\u02bc", "'"), ("\u0060", "'"), ("\u00b4", "'"), ("\u2032", "'"),
    ("\u2010", "-"), ("\u2011", "-"),
    ("\u2012", " "), ("\u2013", " "), ("\u2014", " "), ("\u2015", " "), ("\u2212", " "),
)
# Step 3: segment boundaries.
_BOUNDARY = r"[.!?;:]+(?=\s|\Z)|[\n\r\"\u201c\u201d\u201e\u00ab\u00bb()\[\]{}]"
_SEGMENT = re.compile(_BOUNDARY)
BOUNDARY_CHARS = frozenset(".!?;:\n\r\"\u201c\u201d\u201e\u00ab\u00bb()[]{}")
# Step 4: tokens.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['-][^\W_]+)*")
# Steps 3-4 in one pass: boundary runs, or tokens with a final 's already left out (an
# extension "'s" that ends the token is not taken) and at least 2 characters left (a
# 1-character start needs a further extension). Boundaries and tokens share no characters,
# so this finds exactly the tokens of every segment, in order, with the boundaries between.
_EXTENSION = r"(?:(?!'s(?![^\W_])(?!['-][^\W_]))['-][^\W_]+)"
_ITEMS = re.compile(_BOUNDARY + rf"|\d+(?:[.,]\d+)+|[^\W_]{{2,}}{_EXTENSION}*|[^\W_]{_EXTENSION}+")
# Step 7: quotations, matched on the lowered (unfolded) text.
_QUOTED = re.compile(
    "[\"\u201c\u201e\u00ab]([^\"\u201c\u201d\u201e\u00ab\u00bb\n]{1,80})[\"\u201d\u00bb\u201c]"
    "|\u2018([^\u2018\u2019\n]{1,80})\u2019"
)
_OPENING_QUOTES = ("\"", "\u201c", "\u201e", "\u00ab", "\u2018")
MAX_QUOTED_TOKENS = 3
# Not in the spec: quotations of any length within a paragraph, for setting speech aside (copy
# detection). Each opening mark closes with its own kind, so « » may hold „ “ and “ ” may hold ‘ ’;
# in ‘ ’ an apostrophe inside a word (what’s) does not close. A quotation left open runs to the end
# of its paragraph: typographic convention for one that goes on in the next paragraph, and what a
# lead excerpt cut inside a quotation leaves.
_QUOTATION = re.compile(
    "\u00ab[^\u00ab\u00bb\n]+(?:\u00bb|(?=\n)|\\Z)|\u201e[^\u201e\u201c\u201d\n]+(?:[\u201c\u201d]|(?=\n)|\\Z)"
    "|\u201c[^\u201c\u201d\n]+(?:\u201d|(?=\n)|\\Z)|\"[^\"\n]+(?:\"|(?=\n)|\\Z)"
    "|\u2018(?:[^\u2018\u2019\n]|\u2019(?=[^\\W_]))+(?:\u2019(?![^\\W_])|(?=\n)|\\Z)"
)


@dataclass
class Features:
    """The ngrams-v1 counts of one text."""

    n_tokens: int = 0
    unigrams: Counter = field(default_factory=Counter)
    bigrams: Counter = field(default_factory=Counter)
    quoted: Counter = field(default_factory=Counter)

    def to_dict(self, article_id: str, source: str = "full text") -> dict:
        """Return the spec's JSON object (count maps with sorted keys)."""
        return {
            "article_id": article_id,
            "source": source,
            "tokenizer": TOKENIZER,
            "n_tokens": self.n_tokens,
            "unigrams": dict(sorted(self.unigrams.items())),
            "bigrams": dict(sorted(self.bigrams.items())),
            "quoted": dict(sorted(self.quoted.items())),
        }


def normalise(text: str) -> str:
    """Return the text after step 1 (NFKC, then lower case)."""
    return unicodedata.normalize("NFKC", text).lower()


def fold(lowered: str) -> str:
    """Return the text after step 2 (apostrophes, hyphens and dashes folded)."""
    for char, replacement in _FOLDS:
        if char in lowered:
            lowered = lowered.replace(char, replacement)
    return lowered


def tokenize_segment(segment: str) -> list[str]:
    """Return the tokens of one segment by step 4."""
    tokens = []
    for token in _TOKEN.findall(segment):
        if token.endswith("'s"):
            token = token[:-2]
        if len(token) >= 2:
            tokens.append(token)
    return tokens


def segments(norm: str) -> list[str]:
    """Return the segments of a folded text by step 3."""
    return _SEGMENT.split(norm)


def quoted_phrases(lowered: str) -> list[str]:
    """Return the 1-3 token quoted phrases of a lowered text by step 7, in order."""
    return [phrase for _, phrase in quoted_phrases_at(lowered)]


def quoted_phrases_at(lowered: str) -> list[tuple[int, str]]:
    """Return (position of the opening mark, phrase) of each 1-3 token quoted phrase of a lowered text (step 7)."""
    found = []
    if not any(mark in lowered for mark in _OPENING_QUOTES):  # most texts: skip the regex scan
        return found
    for match in _QUOTED.finditer(lowered):
        inside = match.group(1) if match.group(1) is not None else match.group(2)
        tokens = tokenize_segment(fold(inside))
        if 1 <= len(tokens) <= MAX_QUOTED_TOKENS:
            found.append((match.start(), " ".join(tokens)))
    return found


def without_quotations(text: str) -> str | None:
    """Return the lowered text with each quotation of more than 3 tokens replaced by a line break (None if it has none).

    Such quotations are speech (the spec counts shorter ones as scare quotes); what is left is
    the reporter's own prose. Quotation marks are paired within a paragraph (one left open runs
    to the paragraph's end); speech introduced by a dash alone (Russian and Ukrainian style) is
    not recognised. A line break is a segment boundary, so no word pair forms across a removed
    quotation: the word pairs of the result are a subset of the text's.
    """
    lowered = normalise(text)
    if not any(mark in lowered for mark in _OPENING_QUOTES):
        return None
    spans = [m.span() for m in _QUOTATION.finditer(lowered)
             if len(tokenize_segment(fold(m.group()[1:]))) > MAX_QUOTED_TOKENS]
    if not spans:
        return None
    kept, start = [], 0
    for begin, end in spans:
        kept.append(lowered[start:begin])
        start = end
    return "\n".join(kept + [lowered[start:]])


# Not in the spec: where a sentence ends, for cutting the seed's lead and showing keywords in
# context: . ! ? or … with any closing quotes or brackets, before white space or the end; or a line end.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"\u201d\u00bb\u2019')\]]*(?=\s|\Z)|\n")


def sentence_ends(text: str) -> list[int]:
    """Return the position just after each sentence end of a text (see ``_SENTENCE_END``), in order."""
    return [m.end() for m in _SENTENCE_END.finditer(text)]


def sentences(text: str) -> list[str]:
    """Return a text's sentences, stripped, split at :func:`sentence_ends` (empty ones left out)."""
    starts = [0, *sentence_ends(text)]
    return [s for s in (text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)])) if s]


def items(lowered: str) -> list[str]:
    """Return the tokens of a lowered text (steps 2-4), in order, with the boundary runs between segments.

    An item whose first character is in :data:`BOUNDARY_CHARS` is a boundary, not a token.
    """
    return _ITEMS.findall(fold(lowered))


def item_spans(lowered: str) -> list[tuple[str, int, int]]:
    """Return :func:`items` with each item's start and end in ``lowered`` (folding keeps positions)."""
    return [(m.group(), m.start(), m.end()) for m in _ITEMS.finditer(fold(lowered))]


def featurize(text: str) -> Features:
    """Return the ngrams-v1 features of one article body (no headline).

    One regular-expression pass yields the tokens of all segments with the boundaries between
    them; counting, pairing and dropping the pairs that touch a boundary run in C (Counter,
    zip, str.join). ``tests/test_features.py`` checks this against a rule-by-rule
    transcription of the spec on arbitrary Unicode.
    """
    lowered = normalise(text)
    found = items(lowered)
    boundary = BOUNDARY_CHARS
    unigrams = Counter(found)
    for key in [k for k in unigrams if k[0] in boundary]:
        dict.__delitem__(unigrams, key)
    bigrams = Counter(map(" ".join, zip(found, found[1:])))
    for key in [k for k in bigrams if k[0] in boundary or k[-1] in boundary]:
        dict.__delitem__(bigrams, key)
    return Features(sum(unigrams.values()), unigrams, bigrams, Counter(quoted_phrases(lowered)))


def dumps(document: dict) -> str:
    """Return a features document serialised as the corpus files are (1-space indent, UTF-8)."""
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def cache_path(text: str, cache_dir: Path | None) -> Path | None:
    """Return where :func:`cached_features` keeps a text's features (None without a cache)."""
    if cache_dir is None:
        return None
    key = hashlib.sha256(f"{TOKENIZER}\n{text}".encode()).hexdigest()
    return cache_dir / f"{key}.json"


def cached_features(text: str, article_id: str, cache_dir: Path | None) -> tuple[dict, bool]:
    """Return (the features document of a text, whether it was tokenised now), via a cache.

    The cache holds one JSON file per text, keyed by a hash of the tokenizer and the text, so
    a text already seen is never tokenised again and an edited text never reads stale counts.
    """
    path = cache_path(text, cache_dir)
    if path is not None and path.is_file():
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {**doc, "article_id": article_id}, False
    doc = featurize(text).to_dict(article_id)
    if path is not None:
        from .files import write_atomic

        write_atomic(path, dumps(doc))
    return doc, True
