"""The study's parameters, declared once: type, default, allowed range and meaning of each.

In the spirit of scikit-learn's parameter constraints: :class:`StudyParams` checks every value
when it is made, and unknown names are refused with one line listing the valid ones. The
notebooks' ``parameters`` cells (papermill's convention) list the subset each notebook uses;
``python -m analysis run --param KEY=VALUE`` and ``load_study`` both check against this class.
Choices that depend on the corpus (``language``, ``seed_id``, ``group_by``) are checked by
:func:`analysis.study.load_study`, which knows the corpus.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field, fields

from .errors import ParameterError


def _param(default, meaning: str, *, low=None, high=None, choices=None):
    return field(default=default, metadata={"meaning": meaning, "low": low, "high": high, "choices": choices})


@dataclass(frozen=True)
class StudyParams:
    """Every parameter of the study's notebooks, checked on construction."""

    corpus_dir: str = _param("corpus", "a corpus directory (see corpus/README.md)")
    language: str = _param("en", "ISO 639-1 code of the articles to compare")
    seed_id: str = _param("rt-2022-08-08", "the anchor article (another language: its outlet's article in it)")
    group_by: str = _param("group", "any articles column: group, origin_id, country, ownership, ...")
    seed_length: str | int = _param("matched", "the seed's text compared: 'matched' (its lead, cut at a sentence end to "
                                    "the others' median length), 'full', or a number of characters",
                                    low=1, choices=("matched", "full"))
    dedupe: bool = _param(True, "keep one article per wire-copy cluster")
    copy_threshold: float = _param(0.4, "rarity-weighted word-pair overlap at which two articles count as copies", low=0.0, high=1.0)
    min_df: int = _param(1, "keep terms used by at least this many articles", low=1)
    lemmas: bool | str = _param("auto", "pool inflected forms by lemma (simplemma) before TF-IDF, log-odds and "
                                "keyness: 'auto' (on for ru, uk, pl, sr, bs, tr, de; off for en), true or false",
                                choices=("auto",))
    top_k: int = _param(12, "terms per group and direction", low=1)
    n_resamples: int = _param(200, "bootstrap resamples (0 to skip)", low=0)
    random_seed: int = _param(0, "seed of the bootstrap and the 2-D map", low=0)
    originals_only: bool = _param(False, "across languages: keep only articles whose relation is 'original' "
                                  "(no copies, rewrites or translations)")
    output_dir: str = _param("", "where figures and tables go (empty: reports/<language>)")

    def __post_init__(self):
        for f in fields(self):
            _check(f, getattr(self, f.name))

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Return the parameter names in declaration order."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_mapping(cls, values: dict) -> StudyParams:
        """Return the parameters of ``values`` (others default); refuse unknown names in one line."""
        unknown = sorted(set(values) - set(cls.names()))
        if unknown:
            raise ParameterError(f"unknown parameter(s) {', '.join(unknown)}; valid: {', '.join(cls.names())}")
        return cls(**values)

    @classmethod
    def describe(cls) -> str:
        """Return one line per parameter: name, type, default, meaning."""
        return "\n".join(f"{f.name} ({f.type}, default {f.default!r}): {f.metadata['meaning']}" for f in fields(cls))


def _check(f, value) -> None:
    """Raise ParameterError unless ``value`` has the declared type, choices and range of field ``f``."""
    kinds = {"str": str, "bool": bool, "int": numbers.Integral, "float": numbers.Real}
    allowed = tuple(kinds[t.strip()] for t in f.type.split("|"))
    is_bool = isinstance(value, bool)
    if not isinstance(value, allowed) or (is_bool and bool not in allowed):
        raise ParameterError(f"{f.name} = {value!r}: expected {f.type} ({f.metadata['meaning']})")
    choices = f.metadata["choices"]
    if isinstance(value, str):
        if choices and value not in choices:
            raise ParameterError(f"{f.name} = {value!r}: choose {' or '.join(map(repr, choices))}"
                                 f"{' or a number' if len(allowed) > 1 else ''}")
        return
    low, high = f.metadata["low"], f.metadata["high"]
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"≥ {low}" if high is None else f"between {low} and {high}"
        raise ParameterError(f"{f.name} = {value!r}: must be {bounds} ({f.metadata['meaning']})")
