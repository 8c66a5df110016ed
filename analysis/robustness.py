"""Does a finding survive a fair comparison? Seed-length sensitivity and robustness to reasonable variants.

A finding stated from one set of choices (stop words, min_df, dedupe, the seed's length, the
log-odds prior) should hold under the others a reviewer might make. :func:`robustness` re-runs
the study's comparisons under each variant and records, per finding, where it holds.
"""

from __future__ import annotations

import pandas as pd

from .framing import distinctive_terms, log_odds_passing, progress_bar, seed_vs_rest
from .lexicon import LexiconError
from .naming import context_coverage, seed_context_contrast
from .terms import FramingVectorizer

LENGTHS = ("matched", "full")


def _seed_findings(study, corpus, top_k: int, vectorizer: FramingVectorizer | None = None,
                   with_terms: bool = True) -> dict:
    """Return the seed's top terms (term -> rank; empty unless ``with_terms``) and context verdicts (label -> verdict)."""
    terms = {}
    if with_terms:
        table = seed_vs_rest(corpus, vectorizer or study.vectorizer(corpus), study.seed_id, top_k)
        seed = table[table["direction"] == "seed"]
        terms = dict(zip(seed["term"], seed["rank"]))
    verdicts = {}
    try:
        contrast = seed_context_contrast(context_coverage(corpus, study.context), study.seed_id)
        verdicts = dict(zip(contrast["label"], contrast["verdict"]))
    except LexiconError:
        pass
    return {"terms": terms, "verdicts": verdicts}


def seed_length_sensitivity(study, top_k: int = 12, kinds=("seed term", "context verdict")) -> pd.DataFrame:
    """Return each seed term and context verdict with the seed's lead matched in length and the seed whole.

    Columns: ``kind`` (seed term / context verdict), ``item``, ``matched`` and ``full`` (the
    term's rank among the seed's top terms, or the verdict; empty if not a top term), ``holds``
    (a top term in both, or the same verdict),
    ``matched_chars`` and ``full_chars`` (the seed's characters compared).
    """
    corpora = {length: study.variant(seed_length=length) for length in LENGTHS}
    found = {length: _seed_findings(study, corpora[length], top_k, with_terms="seed term" in kinds) for length in LENGTHS}
    rows = []
    for kind, key in (("seed term", "terms"), ("context verdict", "verdicts")):
        if kind not in kinds:
            continue
        items = list(dict.fromkeys([*found["matched"][key], *found["full"][key]]))
        for item in items:
            matched, full = (str(found[length][key].get(item, "")) for length in LENGTHS)
            holds = bool(matched and full) if kind == "seed term" else matched == full
            rows.append((kind, item, matched, full, holds))
    frame = pd.DataFrame(rows, columns=["kind", "item", "matched", "full", "holds"])
    chars = {length: len(corpora[length].texts.get(study.seed_id, "")) or study.length.full_chars for length in LENGTHS}
    return frame.assign(matched_chars=chars["matched"], full_chars=chars["full"])


def _variants(study) -> dict[str, dict]:
    """Return the variants tried: each changes one of the study's choices."""
    p = study.params
    return {
        "stop words off": {"stop_words": None},
        f"min_df {2 if p.min_df == 1 else 1}": {"min_df": 2 if p.min_df == 1 else 1},
        f"dedupe {'off' if p.dedupe else 'on'}": {"dedupe": not p.dedupe},
        f"seed {'full' if p.seed_length != 'full' else 'matched'}": {
            "seed_length": "full" if p.seed_length != "full" else "matched"},
        "prior ×0.1": {"prior_scale": 0.1},
        "prior ×10": {"prior_scale": 10.0},
    }


def _setup(study, stop_words="auto", min_df=None, dedupe=None, seed_length=None) -> tuple:
    """Return the (corpus, vectorizer) of one variant of the study's choices."""
    corpus = study.variant(dedupe=dedupe, seed_length=seed_length)
    return corpus, study.vectorizer(corpus, min_df=min_df or study.params.min_df, stop_words=stop_words)


def _log_odds_findings(study, corpus, vectorizer, prior_scale: float = 1.0) -> dict[tuple, object]:
    """Return the log-odds findings (terms at q < 0.05, more frequent in a group) of one variant."""
    if corpus.articles[study.params.group_by].nunique() < 2:
        return {}
    passed = log_odds_passing(corpus, vectorizer, study.params.group_by, prior_scale=prior_scale)
    return {("log-odds", c, t): round(z, 2) for c, t, z in passed}


def _findings(study, top_k: int, corpus, vectorizer) -> dict[tuple, object]:
    """Return every finding of one run of the comparisons: (kind, group, item) -> its value."""
    group_by = study.params.group_by
    found = {}
    if study.seed_id is not None and len(corpus) > 1:
        seed = _seed_findings(study, corpus, top_k, vectorizer)
        found |= {("seed term", "seed", t): r for t, r in seed["terms"].items()}
        found |= {("seed context", "seed", label): v for label, v in seed["verdicts"].items() if v != "as most"}
    if corpus.articles[group_by].nunique() < 2:
        return found
    distinctive = distinctive_terms(corpus, vectorizer, group_by, top_k)
    over = distinctive[distinctive["direction"] == "over"]
    found |= {("distinctive", g, t): r for g, t, r in over[[group_by, "term", "rank"]].itertuples(index=False)}
    return found | _log_odds_findings(study, corpus, vectorizer)


def robustness(study, top_k: int) -> pd.DataFrame:
    """Return, per finding of the study, whether it holds under each variant and the share of variants where it does.

    Findings: each group's top ``top_k`` distinctive terms, its log-odds terms at q < 0.05,
    the seed's top terms and its context verdicts. A finding holds when the same term stays in
    the same list (or the same verdict is reached). The prior variants concern log-odds only
    (they reuse the study's own vocabulary); for other findings they are left empty and not counted.
    """
    baseline = _setup(study)
    base = _findings(study, top_k, *baseline)
    columns = {}
    for name, change in progress_bar(list(_variants(study).items()), "robustness variants", len(study.corpus)):
        prior_only = "prior_scale" in change
        found = (_log_odds_findings(study, *baseline, **change) if prior_only
                 else _findings(study, top_k, *_setup(study, **change)))
        columns[name] = [(key in found) if (key[0] == "log-odds" or not prior_only) else None for key in base]
    frame = pd.DataFrame([(*key, value) for key, value in base.items()],
                         columns=["finding", "group", "item", "baseline"]).astype({"baseline": object})
    frame["baseline"] = frame["baseline"].astype(str)
    for name, values in columns.items():
        frame[name] = pd.array(values, dtype="boolean")
    tried = frame[list(columns)]
    frame["n_variants"] = tried.notna().sum(axis=1)
    frame["share_holding"] = tried.sum(axis=1) / frame["n_variants"]
    return frame.sort_values(["share_holding", "finding", "group", "item"], ascending=[False, True, True, True],
                             ignore_index=True)
