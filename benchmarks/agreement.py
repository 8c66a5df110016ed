"""Log-odds agreement: framediff vs scattertext and convokit, on the same counts and at defaults.

    python benchmarks/agreement.py

1. **Same counts, same prior.** The Democratic and Republican totals of every term framediff
   counts in the convention corpus, with framediff's default prior (alpha_w = pooled count),
   go into each implementation: ``analysis.framing.log_odds``, scattertext's
   ``LogOddsRatioInformativeDirichletPrior.get_zeta_i_j_given_separate_counts`` and convokit's
   ``FightingWords._bayes_compare_language`` (the arithmetic ``fit`` runs, fed through a
   CountVectorizer whose vocabulary is the given terms). The table gives max |z difference|;
   scattertext uses the full variance (``variance="full"``), convokit the paper's eq. 20.
2. **Each tool at its documented defaults**, Democrats vs Republicans: top-100 terms per party
   shared with framediff's, and the Spearman correlation of z on the terms both score. Then
   framediff is moved towards each peer's choices one at a time, to show which choice explains
   how much of the difference.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from analysis.corpus import Corpus  # noqa: E402
from analysis.framing import log_odds, log_odds_table, pooled_prior  # noqa: E402
from analysis.terms import FramingVectorizer  # noqa: E402

TOP = 100
PARTIES = ("democrat", "republican")


def party_totals(corpus: Corpus, vectorizer: FramingVectorizer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (terms, Democratic totals, Republican totals) of the fitted vocabulary."""
    party = corpus.articles["party"].to_numpy()
    counts = vectorizer.counts_
    a = np.asarray(counts[np.flatnonzero(party == PARTIES[0])].sum(axis=0)).ravel()
    b = np.asarray(counts[np.flatnonzero(party == PARTIES[1])].sum(axis=0)).ravel()
    used = np.flatnonzero(a + b)
    return vectorizer.terms_[used], a[used], b[used]


def scattertext_z(a: np.ndarray, b: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Return scattertext's z for given counts and prior."""
    from scattertext import LogOddsRatioInformativeDirichletPrior

    return np.asarray(LogOddsRatioInformativeDirichletPrior(prior, scale_type="none")
                      .get_zeta_i_j_given_separate_counts(a, b), dtype=float)


def _fighting_words(fw, class1: list, class2: list) -> dict[str, float]:
    """Return z per term from the arithmetic FightingWords.fit runs, its progress prints silenced."""
    with contextlib.redirect_stdout(io.StringIO()):
        return fw._bayes_compare_language([SimpleNamespace(text=t) for t in class1],
                                          [SimpleNamespace(text=t) for t in class2])


def convokit_z(terms: np.ndarray, a: np.ndarray, b: np.ndarray, prior: np.ndarray) -> dict[str, float]:
    """Return convokit FightingWords' z per term for given counts and prior."""
    from convokit.fighting_words import FightingWords
    from sklearn.feature_extraction.text import CountVectorizer

    cv = CountVectorizer(analyzer=lambda tokens: tokens, vocabulary=list(terms))  # a "text" is its terms
    with contextlib.redirect_stdout(io.StringIO()):
        fw = FightingWords(cv=cv, prior=prior, text_func=lambda obj: obj.text)
    return _fighting_words(fw, [np.repeat(terms, a).tolist()], [np.repeat(terms, b).tolist()])


def same_counts(corpus: Corpus) -> list[dict]:
    """Return max |z difference| of each peer against framediff given identical counts and prior."""
    terms, a, b = party_totals(corpus, FramingVectorizer().fit(corpus))
    prior = pooled_prior(a + b)
    rows = []
    _, _, z_full = log_odds(a, b, prior, variance="full")
    _, _, z_approx = log_odds(a, b, prior)
    peers = [("scattertext LogOddsRatioInformativeDirichletPrior", "full", z_full, lambda: scattertext_z(a, b, prior))]
    peers.append(("convokit FightingWords", "approximate", z_approx, lambda: _aligned(convokit_z(terms, a, b, prior), terms)))
    for name, variance, ours, theirs in peers:
        if not _installed(name.split()[0]):
            continue
        diff = float(np.max(np.abs(ours - theirs())))
        rows.append({"peer": name, "framediff_variance": variance, "terms": len(terms),
                     "max_abs_z_difference": diff, "within_1e-9": diff <= 1e-9})
    return rows


def _aligned(scores: dict[str, float], terms) -> np.ndarray:
    return np.array([scores[t] for t in terms], dtype=float)


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def compare(ours: pd.Series, theirs: pd.Series) -> dict:
    """Return the top-100 overlap per party and the Spearman correlation on shared terms."""
    shared = ours.index.intersection(theirs.index)
    rho = spearmanr(ours[shared], theirs[shared]).statistic if len(shared) > 2 else np.nan
    out = {"terms_framediff": len(ours), "terms_peer": len(theirs), "shared_terms": len(shared),
           "spearman_shared": float(rho)}
    for party, largest in zip(PARTIES, (True, False)):
        top_ours = set(_top(ours, largest))
        top_theirs = set(_top(theirs, largest))
        out[f"top{TOP}_overlap_{party}"] = len(top_ours & top_theirs)
    return out


def _top(z: pd.Series, largest: bool) -> list[str]:
    """Return the TOP terms of highest (or lowest) z, ties broken by term."""
    frame = pd.DataFrame({"term": z.index.astype(str), "z": z.to_numpy()})
    return frame.sort_values(["z", "term"], ascending=[not largest, True])["term"].head(TOP).tolist()


def framediff_z(corpus: Corpus, stop_words="auto", prior: str = "pooled", variance: str = "approximate") -> pd.Series:
    """Return framediff's Democrat-vs-Republican z per term, with optional peer-like choices."""
    vectorizer = FramingVectorizer(stop_words=stop_words).fit(corpus)
    if prior == "pooled" and variance == "approximate":
        table = log_odds_table(corpus, vectorizer, "party", pair=PARTIES)
        return table.set_index("term")["z"]
    terms, a, b = party_totals(corpus, vectorizer)
    alpha = pooled_prior(a + b) if prior == "pooled" else (a + b) + 1.0  # scattertext: all categories + 1
    return pd.Series(log_odds(a, b, alpha, variance=variance)[2], index=terms)


def scattertext_defaults(articles: list[common.Article]) -> pd.Series:
    """Return scattertext's z, Democrat vs Republican, following its README's log-odds example."""
    import scattertext as st

    frame = pd.DataFrame({"party": [a.party for a in articles], "text": [a.text for a in articles]})
    corpus = st.CorpusFromPandas(frame, category_col="party", text_col="text",
                                 nlp=st.whitespace_nlp_with_sentences).build()
    priors = (st.PriorFactory(corpus, category="democrat", not_categories=["republican"], starting_count=1)
              .use_all_categories().get_priors())
    freq = corpus.get_term_freq_df()
    z = st.LogOddsRatioInformativeDirichletPrior(priors.reindex(freq.index).to_numpy(), scale_type="none") \
        .get_zeta_i_j_given_separate_counts(freq["democrat freq"].to_numpy(), freq["republican freq"].to_numpy())
    return pd.Series(np.asarray(z, dtype=float), index=freq.index.astype(str))


def convokit_defaults(articles: list[common.Article]) -> pd.Series:
    """Return convokit FightingWords' z with its defaults (class1 = Democrats)."""
    from convokit.fighting_words import FightingWords

    with contextlib.redirect_stdout(io.StringIO()):
        fw = FightingWords()
    scores = _fighting_words(fw, [a.text for a in articles if a.party == PARTIES[0]],
                             [a.text for a in articles if a.party == PARTIES[1]])
    return pd.Series(scores, dtype=float)


STEPS = {
    "scattertext": [("framediff defaults", {}),
                    ("+ no stop-word filter", {"stop_words": None}),
                    ("+ scattertext's prior (all counts + 1) and full variance",
                     {"stop_words": None, "prior": "all+1", "variance": "full"})],
    "convokit": [("framediff defaults", {}),
                 ("+ no stop-word filter", {"stop_words": None})],
}


def defaults(corpus: Corpus, articles: list[common.Article]) -> list[dict]:
    """Return, per peer at its defaults, the agreement of framediff and of framediff moved towards it."""
    rows = []
    for peer, fn in (("scattertext", scattertext_defaults), ("convokit", convokit_defaults)):
        if not _installed(peer):
            continue
        theirs = fn(articles)
        for label, settings in STEPS[peer]:
            rows.append({"peer": peer, "framediff": label, **compare(framediff_z(corpus, **settings), theirs)})
    return rows


def main() -> dict:
    articles = common.convention()
    corpus = common.corpus_of(articles)
    exact = same_counts(corpus)
    print("Same counts and prior (framediff default prior alpha_w = pooled count):")
    common.print_table(exact, ["peer", "framediff_variance", "terms", "max_abs_z_difference", "within_1e-9"])
    at_defaults = defaults(corpus, articles)
    print(f"\nEach tool at its defaults, Democrats vs Republicans, {len(articles)} speeches:")
    common.print_table(at_defaults, ["peer", "framediff", "shared_terms", f"top{TOP}_overlap_democrat",
                                     f"top{TOP}_overlap_republican", "spearman_shared"])
    payload = {"articles": len(articles), "same_counts": exact, "defaults": at_defaults,
               "versions": common.versions("framediff", "scattertext", "convokit", "scikit-learn")}
    print(f"wrote {common.write_results('agreement', payload)}")
    return payload


if __name__ == "__main__":
    main()
