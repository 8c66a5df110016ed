"""Compare the seed like with like: its leading text cut to the length of the articles it meets.

The seed (RT's article) is held as a whole text; the other articles are leads of about 2,000
characters. Compared whole, the seed's later paragraphs (background the others' leads never
reach) look like framing. :func:`seed_lead` cuts the seed at a sentence end near the median
length of the others and recounts it, so every seed comparison sees text of a like length.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .corpus import Corpus
from .errors import ParameterError
from .features import KINDS, featurize, sentence_ends

@dataclass(frozen=True)
class SeedLength:
    """What of the seed a study compares: ``seed_chars`` of ``full_chars``, against the others' median."""

    mode: str | int
    seed_chars: int
    full_chars: int
    others_median_chars: int
    has_text: bool

    def describe(self) -> str:
        """Return one line saying what of the seed is compared and why."""
        if not self.has_text:
            return (f"seed length: the seed is held only as features, so it is compared whole "
                    f"({self.full_chars:,} characters; others' median {self.others_median_chars:,})")
        if self.seed_chars == self.full_chars:
            return (f"seed length {self.mode!r}: the seed's whole text ({self.full_chars:,} characters) against "
                    f"the others' median of {self.others_median_chars:,}")
        return (f"seed length {self.mode!r}: the seed's first {self.seed_chars:,} of {self.full_chars:,} characters "
                f"(cut at a sentence end) against the others' median of {self.others_median_chars:,}")


def cut_at_sentence(text: str, chars: int) -> str:
    """Return the leading text up to the sentence end nearest ``chars`` characters (at least one sentence)."""
    ends = sentence_ends(text) + [len(text)]
    best = min(ends, key=lambda end: (abs(end - chars), end))
    return text[:best].rstrip()


def seed_lead(corpus: Corpus, seed_id: str, seed_length: str | int = "matched") -> tuple[Corpus, SeedLength]:
    """Return the corpus with the seed's counts taken from its leading text, and what was compared.

    Args:
        seed_length: "matched" (cut at a sentence end to the median ``source_chars`` of the
            other articles), "full" (as held), or a number of characters. A seed held only as
            features is used whole.
    """
    articles = corpus.articles
    position = np.flatnonzero(articles["article_id"].to_numpy() == seed_id)
    if len(position) != 1:
        raise ParameterError(f"seed {seed_id!r} is not in this corpus")
    position = int(position[0])
    others = articles["source_chars"].drop(index=position)
    median = int(others.median()) if len(others) else int(articles["source_chars"].iloc[position])
    text = corpus.texts.get(seed_id)
    if text is None:
        chars = int(articles["source_chars"].iloc[position])
        return corpus, SeedLength(seed_length, chars, chars, median, False)
    target = {"matched": median, "full": len(text)}.get(seed_length, seed_length)
    lead = text if target >= len(text) else cut_at_sentence(text, int(target))
    length = SeedLength(seed_length, len(lead), len(text), median, True)
    if lead == text:
        return corpus, length
    doc = featurize(lead).to_dict(seed_id)
    counts = {kind: corpus.counts[kind].with_row(position, doc[kind]) for kind in KINDS}
    frame = articles.copy()
    frame.loc[position, "n_tokens"] = doc["n_tokens"]
    return replace(corpus, articles=frame, counts=counts, texts={**corpus.texts, seed_id: lead}), length
