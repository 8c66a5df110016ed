"""Framing differences: distinctive TF-IDF terms, seed vs rest, Fightin' Words log-odds, keyness, bootstrap.

Every function returns a tidy DataFrame sorted deterministically (ties broken by term name).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse, special, stats

from .corpus import Corpus
from .terms import FramingVectorizer
from .errors import ParameterError

from .schema import SMALL_GROUP


PROGRESS_FROM = 2_000  # articles; long steps on larger corpora show a progress bar by default


def progress_bar(items, desc: str, n_articles: int, progress: bool | None = None):
    """Return ``items`` wrapped in a tqdm bar when ``progress`` (None: when there are more than PROGRESS_FROM articles)."""
    if not (progress if progress is not None else n_articles > PROGRESS_FROM):
        return items
    from tqdm import tqdm  # plain text: it reads the same in JupyterLab, a terminal and a saved notebook

    return tqdm(items, desc=desc, mininterval=2.0)


def _labels(corpus: Corpus, group_by: str) -> np.ndarray:
    """Return the grouping column as an array; raise a clear error for a bad column."""
    if group_by not in corpus.articles.columns:
        raise ParameterError(f"no column {group_by!r} to group by; columns: {', '.join(corpus.articles.columns)}")
    labels = corpus.articles[group_by].astype(str).to_numpy()
    if len(set(labels)) < 2:
        raise ParameterError(f"comparing groups needs at least two values of {group_by!r}; "
                         f"this corpus has only {sorted(set(labels))}")
    return labels


def _mean_rows(matrix: sparse.csr_matrix, mask: np.ndarray) -> np.ndarray:
    """Return the column means of the rows selected by a boolean mask."""
    return np.asarray(matrix[np.flatnonzero(mask)].mean(axis=0)).ravel()


def _top(scores: np.ndarray, terms: np.ndarray, k: int, largest: bool, rank: np.ndarray | None = None) -> np.ndarray:
    """Return positions of the k best scores (largest or smallest), ties broken by term.

    Linear in the number of terms: a partition finds the k-th score, and only the terms at or
    beyond it are sorted. ``rank`` (each term's position in sorted order, :func:`_term_rank`)
    saves sorting the term strings again when the same terms are ranked many times.
    """
    key = -scores if largest else scores
    candidates = np.arange(len(key))
    if 0 < k < len(key):
        candidates = np.flatnonzero(key <= np.partition(key, k - 1)[k - 1])
    tie = (rank if rank is not None else terms)[candidates]
    chosen = candidates[np.lexsort((tie, key[candidates]))][:k]
    return chosen[(scores[chosen] > 0) if largest else (scores[chosen] < 0)]


def _term_rank(terms: np.ndarray) -> np.ndarray:
    """Return each term's position in sorted order (an integer tie-break for :func:`_top`)."""
    rank = np.empty(len(terms), dtype=np.int64)
    rank[np.argsort(terms, kind="stable")] = np.arange(len(terms))
    return rank


def group_differences(tfidf: sparse.csr_matrix, labels: np.ndarray) -> dict[str, tuple]:
    """Return, per group, (mean TF-IDF in the group, mean in all other articles)."""
    return {g: (_mean_rows(tfidf, labels == g), _mean_rows(tfidf, labels != g))
            for g in sorted(set(labels))}


def distinctive_terms(corpus: Corpus, vectorizer: FramingVectorizer, group_by: str = "group",
                      top_k: int = 15) -> pd.DataFrame:
    """Return each group's top-k terms by mean TF-IDF in the group minus mean in the others.

    One row per group x direction x rank: ``direction`` is "over" (the group uses the term
    more) or "under" (less). ``small_group`` flags groups with fewer than 3 articles.
    """
    labels = _labels(corpus, group_by)
    terms = vectorizer.terms_
    present = vectorizer.counts_ > 0
    rows = []
    for group, (inside, outside) in group_differences(vectorizer.tfidf_, labels).items():
        mask = labels == group
        diff = inside - outside
        df_in = np.asarray(present[np.flatnonzero(mask)].sum(axis=0)).ravel()
        df_out = np.asarray(present[np.flatnonzero(~mask)].sum(axis=0)).ravel()
        for direction, largest in (("over", True), ("under", False)):
            for rank, j in enumerate(_top(diff, terms, top_k, largest), start=1):
                rows.append((group, int(mask.sum()), mask.sum() < SMALL_GROUP, direction, rank, terms[j],
                             diff[j], inside[j], outside[j], int(df_in[j]), int(df_out[j])))
    columns = [group_by, "n_articles", "small_group", "direction", "rank", "term", "score",
               "mean_in", "mean_out", "df_in", "df_out"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.assign(forms=vectorizer.forms(frame["term"]))


def seed_vs_rest(corpus: Corpus, vectorizer: FramingVectorizer, seed_id: str,
                 top_k: int = 15) -> pd.DataFrame:
    """Return the seed article's distinctive terms against all other articles.

    ``direction``: "seed" (the seed weights it more), "rest" (the others weight it more), and
    "absent" (terms the seed never uses, ranked by how many other articles use them).
    """
    ids = list(vectorizer.article_ids_)
    if seed_id not in ids:
        raise ParameterError(f"seed {seed_id!r} is not in this corpus; articles: {', '.join(sorted(ids))}")
    if len(ids) < 2:
        raise ParameterError("seed vs rest needs at least one article besides the seed")
    seed = np.zeros(len(ids), dtype=bool)
    seed[ids.index(seed_id)] = True
    terms = vectorizer.terms_
    seed_w, rest_w = _mean_rows(vectorizer.tfidf_, seed), _mean_rows(vectorizer.tfidf_, ~seed)
    rest_df = np.asarray((vectorizer.counts_[np.flatnonzero(~seed)] > 0).sum(axis=0)).ravel()
    diff = seed_w - rest_w
    rows = []
    for direction, chosen in (("seed", _top(diff, terms, top_k, True)),
                              ("rest", _top(diff, terms, top_k, False))):
        rows += [(direction, r, terms[j], diff[j], seed_w[j], rest_w[j], int(rest_df[j]))
                 for r, j in enumerate(chosen, start=1)]
    absent = np.flatnonzero(seed_w == 0)
    order = absent[np.lexsort((terms[absent], -rest_w[absent], -rest_df[absent]))][:top_k]
    rows += [("absent", r, terms[j], diff[j], 0.0, rest_w[j], int(rest_df[j]))
             for r, j in enumerate(order, start=1)]
    frame = pd.DataFrame(rows, columns=["direction", "rank", "term", "score", "seed_tfidf",
                                        "rest_mean", "rest_df"])
    frame.insert(0, "n_rest", len(ids) - 1)
    frame.insert(0, "seed_id", seed_id)
    return frame.assign(forms=vectorizer.forms(frame["term"]))


VARIANCES = ("approximate", "full")


def log_odds(counts_a: np.ndarray, counts_b: np.ndarray, prior: np.ndarray,
             variance: str = "approximate") -> tuple[np.ndarray, ...]:
    """Return (delta, variance, z) of the log-odds ratio with informative Dirichlet prior.

    Monroe, Colaresi & Quinn (2008), eq. 16, 18-20: with prior pseudo-counts alpha_w summing to
    alpha0, and n the total count of each side,
    delta_w = log((y_aw + a_w) / (n_a + a0 - y_aw - a_w)) - log((y_bw + a_w) / (n_b + a0 - y_bw - a_w)),
    z_w = delta_w / sqrt(variance_w).

    Args:
        variance: "approximate" is the paper's eq. 20, 1 / (y_aw + a_w) + 1 / (y_bw + a_w), as
            convokit's FightingWords computes it; "full" adds the two complement terms
            1 / (n_a + a0 - y_aw - a_w) + 1 / (n_b + a0 - y_bw - a_w), as scattertext's
            LogOddsRatioInformativeDirichletPrior does. They differ by < 1% unless a term makes
            up a large share of a side.
    """
    if variance not in VARIANCES:
        raise ParameterError(f"variance must be one of {', '.join(VARIANCES)}; got {variance!r}")
    a = np.asarray(counts_a, dtype=float)
    b = np.asarray(counts_b, dtype=float)
    alpha = np.asarray(prior, dtype=float)
    if not (a.shape == b.shape == alpha.shape):
        raise ParameterError(f"counts and prior must have one shape; got {a.shape}, {b.shape}, {alpha.shape}")
    if (alpha <= 0).any():
        raise ParameterError("every prior pseudo-count must be positive")
    alpha0 = alpha.sum()
    rest_a, rest_b = a.sum() + alpha0 - a - alpha, b.sum() + alpha0 - b - alpha
    delta = np.log((a + alpha) / rest_a) - np.log((b + alpha) / rest_b)
    var = 1.0 / (a + alpha) + 1.0 / (b + alpha)
    if variance == "full":
        var = var + 1.0 / rest_a + 1.0 / rest_b
    return delta, var, delta / np.sqrt(var)


def pooled_prior(pooled: np.ndarray, alpha0: float | None = None) -> np.ndarray:
    """Return prior pseudo-counts proportional to the pooled counts, summing to ``alpha0``.

    ``alpha0=None`` uses the pooled total itself (alpha_w = pooled count of w): the prior weighs
    as much as the data, which shrinks the many rare terms of a small corpus strongly.
    """
    pooled = np.asarray(pooled, dtype=float)
    total = pooled.sum()
    return pooled * ((alpha0 if alpha0 is not None else total) / total)


def log_odds_table(corpus: Corpus, vectorizer: FramingVectorizer, group_by: str = "group",
                   pair: tuple[str, str] | None = None, alpha0: float | None = None,
                   prior_scale: float = 1.0) -> pd.DataFrame:
    """Return Fightin' Words log-odds per term: each group vs the rest, or ``pair[0]`` vs ``pair[1]``.

    The prior comes from the pooled counts of the articles compared. ``p_value`` is two-sided
    from z; ``q_value`` the Benjamini-Hochberg adjusted p-value within each comparison
    (``scipy.stats.false_discovery_control``): read a term as more frequent than chance allows
    at q < 0.05, not |z| ≥ 1.96, since thousands of terms are tested per comparison. Rows are
    sorted by comparison, then z descending, then term.

    Args:
        alpha0: the prior's total pseudo-count; None weighs the prior as much as the data.
        prior_scale: multiplies the prior's weight (0.1: a tenth of the data's; 10: ten times).
    """
    frames = [pd.DataFrame({
        "comparison": name, "term": vectorizer.terms_[used], "count_a": a, "count_b": b, "frequency": a + b,
        "delta": delta, "variance": variance, "z": z, "n_articles_a": n_a, "n_articles_b": n_b})
        for name, used, a, b, delta, variance, z, n_a, n_b in _log_odds_scores(
            corpus, vectorizer, group_by, pair, alpha0, prior_scale)]
    table = pd.concat(frames, ignore_index=True)
    table["z_rank"] = table.groupby("comparison")["z"].rank(method="first", ascending=False).astype(int)
    table["p_value"] = 2 * stats.norm.sf(np.abs(table["z"].to_numpy()))
    table["q_value"] = table.groupby("comparison")["p_value"].transform(
        lambda p: stats.false_discovery_control(p.to_numpy(), method="bh"))
    table["forms"] = vectorizer.forms(table["term"])
    return table.sort_values(["comparison", "z", "term"], ascending=[True, False, True], ignore_index=True)


def _log_odds_scores(corpus: Corpus, vectorizer: FramingVectorizer, group_by: str, pair: tuple[str, str] | None,
                     alpha0: float | None, prior_scale: float):
    """Yield per comparison (name, used term positions, count_a, count_b, delta, variance, z, n_a, n_b)."""
    labels = _labels(corpus, group_by)
    counts = vectorizer.counts_
    if pair is not None:
        missing = [g for g in pair if g not in set(labels)]
        if missing:
            raise ParameterError(f"{missing} not in {group_by!r}; values: {', '.join(sorted(set(labels)))}")
        comparisons = [(f"{pair[0]} vs {pair[1]}", labels == pair[0], labels == pair[1])]
    else:
        comparisons = [(g, labels == g, labels != g) for g in sorted(set(labels))]
    for name, in_a, in_b in comparisons:
        used, a, b = _side_counts(counts, in_a, in_b)
        delta, variance, z = log_odds(a[used], b[used], prior_scale * pooled_prior(a[used] + b[used], alpha0))
        yield name, used, a[used], b[used], delta, variance, z, int(in_a.sum()), int(in_b.sum())


def _side_counts(counts: sparse.spmatrix, in_a: np.ndarray, in_b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (positions of the terms either side uses, side a's pooled count of every term, side b's)."""
    a = np.asarray(counts[np.flatnonzero(in_a)].sum(axis=0)).ravel()
    b = np.asarray(counts[np.flatnonzero(in_b)].sum(axis=0)).ravel()
    return np.flatnonzero(a + b), a, b


def log_odds_passing(corpus: Corpus, vectorizer: FramingVectorizer, group_by: str = "group",
                     prior_scale: float = 1.0, q: float = 0.05) -> list[tuple[str, str, float]]:
    """Return (comparison, term, z) of the terms :func:`log_odds_table` marks as more frequent at q_value < q.

    The same numbers without building the table (robustness re-runs it under many variants).
    """
    passed = []
    for name, used, *_, z, _, _ in _log_odds_scores(corpus, vectorizer, group_by, None, None, prior_scale):
        q_values = stats.false_discovery_control(2 * stats.norm.sf(np.abs(z)), method="bh") if len(z) else z
        hit = np.flatnonzero((q_values < q) & (z > 0))
        passed += [(name, vectorizer.terms_[used[j]], float(z[j])) for j in hit]
    return passed


def bootstrap_stability(corpus: Corpus, vectorizer: FramingVectorizer, table: pd.DataFrame,
                        group_by: str = "group", top_k: int = 15, n_resamples: int = 200,
                        seed: int = 0, level: float = 0.95, progress: bool | None = None) -> pd.DataFrame:
    """Return ``table`` (from :func:`distinctive_terms`) with bootstrap stability columns.

    Articles are resampled with replacement within each group (the TF-IDF weights stay fixed).
    ``stability`` is the share of resamples in which the term stays in its group's top-k in the
    same direction; ``ci_low``/``ci_high`` a percentile interval of its score. Each resample is
    one sparse product (its draw counts x TF-IDF), so the cost is linear in the articles.
    ``progress`` shows a bar (None: above :data:`PROGRESS_FROM` articles).
    """
    labels = _labels(corpus, group_by)
    rng = np.random.default_rng(seed)
    groups = sorted(set(labels))
    members = [np.flatnonzero(labels == g) for g in groups]
    sizes = np.array([len(m) for m in members], dtype=float)
    terms, rank = vectorizer.terms_, _term_rank(vectorizer.terms_)
    position = {t: i for i, t in enumerate(terms)}
    row = {g: i for i, g in enumerate(groups)}
    wanted = [(row[g], d, position[t]) for g, d, t in table[[group_by, "direction", "term"]].itertuples(index=False)]
    scores = np.zeros((n_resamples, len(wanted)))
    stays = np.zeros((n_resamples, len(wanted)), dtype=bool)
    for b in progress_bar(range(n_resamples), "bootstrap", len(labels), progress):
        # A resample's group sums are one product: (groups x articles) draw counts @ TF-IDF.
        draws = sparse.csr_matrix(np.stack([np.bincount(rng.choice(m, size=len(m), replace=True),
                                                        minlength=len(labels)) for m in members]).astype(float))
        sums = (draws @ vectorizer.tfidf_).toarray()
        diffs = sums / sizes[:, None] - (sums.sum(axis=0) - sums) / (sizes.sum() - sizes)[:, None]
        tops = {(g, d): set(_top(diffs[g], terms, top_k, d == "over", rank)) for g in set(w[0] for w in wanted)
                for d in ("over", "under")}
        for k, (g, d, j) in enumerate(wanted):
            scores[b, k] = diffs[g, j]
            stays[b, k] = j in tops[(g, d)]
    tail = (1 - level) / 2 * 100
    result = table.copy()
    result["stability"] = stays.mean(axis=0) if n_resamples else np.nan
    result["ci_low"] = np.percentile(scores, tail, axis=0) if n_resamples else np.nan
    result["ci_high"] = np.percentile(scores, 100 - tail, axis=0) if n_resamples else np.nan
    return result


def keyness_2x2(count_a: np.ndarray, count_b: np.ndarray, total_a: np.ndarray | float,
                total_b: np.ndarray | float) -> dict[str, np.ndarray]:
    """Return signed keyness statistics of 2×2 tables (term vs other terms, side a vs side b), vectorised.

    For each term the table is ``[[count_a, count_b], [total_a - count_a, total_b - count_b]]``.
    Every statistic is signed so that positive means "more frequent in a" (relative to its total).

    Returns:
        A dict of arrays: ``chi2`` (Pearson's χ² with Yates' continuity correction, the correction
        capped at |O - E| as in ``scipy.stats.chi2_contingency``), ``p_chi2``, ``g2`` (the
        log-likelihood G² divided by Williams' correction q, quanteda's default), ``p_g2``,
        ``pmi`` (natural log of observed over expected count in a; -inf when a never uses the
        term) and ``log_ratio`` (Hardie's log2 of the ratio of relative frequencies, a zero count
        taken as 0.5). p-values are from χ² with one degree of freedom.
    """
    a, b = np.asarray(count_a, dtype=float), np.asarray(count_b, dtype=float)
    total_a = np.broadcast_to(np.asarray(total_a, dtype=float), a.shape)
    total_b = np.broadcast_to(np.asarray(total_b, dtype=float), a.shape)
    if (a < 0).any() or (b < 0).any() or (a > total_a).any() or (b > total_b).any():
        raise ParameterError("keyness needs 0 <= count <= total on each side")
    c, d = total_a - a, total_b - b
    n = total_a + total_b
    row_term, row_other = a + b, c + d
    observed = np.stack([a, b, c, d])
    expected = np.stack([row_term * total_a, row_term * total_b, row_other * total_a, row_other * total_b]) / n
    sign = np.sign(a - expected[0])
    excess = np.abs(a * d - b * c) / n                      # |O - E|, the same in all four cells
    margins = row_term * row_other * total_a * total_b
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.where(margins > 0, n ** 3 * (excess - np.minimum(0.5, excess)) ** 2 / margins, 0.0)
        g2 = 2 * special.xlogy(observed, observed / expected).sum(axis=0)
        williams = 1 + (n / row_term + n / row_other - 1) * (n / total_a + n / total_b - 1) / (6 * n)
        g2 = np.where(margins > 0, g2 / williams, 0.0)
        pmi = np.log(a / expected[0])
    share_a = np.where(a > 0, a, 0.5) / total_a
    share_b = np.where(b > 0, b, 0.5) / total_b
    return {"chi2": sign * chi2 + 0.0, "p_chi2": stats.chi2.sf(chi2, 1), "g2": sign * g2 + 0.0,
            "p_g2": stats.chi2.sf(g2, 1), "pmi": pmi, "log_ratio": np.log2(share_a / share_b)}


def _comparisons(corpus: Corpus, group_by: str, seed_id: str | None) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Return (name, in a, in b): each group against the rest (if there are two groups) and the seed against the rest."""
    if group_by not in corpus.articles.columns:
        raise ParameterError(f"no column {group_by!r} to group by; columns: {', '.join(corpus.articles.columns)}")
    labels = corpus.articles[group_by].astype(str).to_numpy()
    groups = sorted(set(labels)) if len(set(labels)) >= 2 else []
    comparisons = [(g, labels == g, labels != g) for g in groups]
    if seed_id is not None:
        seed = corpus.articles["article_id"].to_numpy() == seed_id
        if not seed.any():
            raise ParameterError(f"seed {seed_id!r} is not in this corpus")
        if len(seed) > 1:
            comparisons.append((f"seed {seed_id}", seed, ~seed))
    return comparisons


def keyness(corpus: Corpus, vectorizer: FramingVectorizer, group_by: str = "group",
            seed_id: str | None = None) -> pd.DataFrame:
    """Return corpus-linguistic keyness per term: each group against the rest and the seed against the rest.

    Each side's articles are pooled into one text (as quanteda's ``textstat_keyness``, AntConc
    and WordSmith do), so one long article can dominate a side; the log-odds prior and the
    bootstrap temper that, keyness does not. Words are tested against all words of a side, word
    pairs against all word pairs (``total_a``, ``total_b``: the side's count of the term's kind,
    after stop-word filtering). Columns: ``comparison``, ``term``, ``count_a``, ``count_b``,
    ``total_a``, ``total_b``, ``n_articles_a``,
    ``n_articles_b``, then :func:`keyness_2x2`'s statistics and ``q_g2`` (Benjamini-Hochberg
    within the comparison), ``forms`` (the surface forms a lemma pools). Terms neither side uses are left out. Rows are sorted by
    comparison, then G² descending, then term. Group comparisons need two groups, the seed
    comparison another article; with neither the table is empty.
    """
    counts = vectorizer.counts_
    pairs = np.char.find(vectorizer.terms_.astype(str), " ") >= 0
    frames = []
    for name, in_a, in_b in _comparisons(corpus, group_by, seed_id):
        used, a, b = _side_counts(counts, in_a, in_b)
        total_a, total_b = (np.where(pairs, a[pairs].sum(), a[~pairs].sum())[used],
                            np.where(pairs, b[pairs].sum(), b[~pairs].sum())[used])
        scores = keyness_2x2(a[used], b[used], total_a, total_b)
        frames.append(pd.DataFrame({
            "comparison": name, "term": vectorizer.terms_[used], "count_a": a[used], "count_b": b[used],
            "total_a": total_a, "total_b": total_b, "n_articles_a": int(in_a.sum()),
            "n_articles_b": int(in_b.sum()), **scores,
            "q_g2": stats.false_discovery_control(scores["p_g2"], method="bh")}))
    order = ["comparison", "term", "count_a", "count_b", "total_a", "total_b", "n_articles_a", "n_articles_b",
             "chi2", "p_chi2", "g2", "p_g2", "q_g2", "log_ratio", "pmi", "forms"]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=order)
    table["forms"] = vectorizer.forms(table["term"])
    return table[order].sort_values(["comparison", "g2", "term"], ascending=[True, False, True], ignore_index=True)


def top_keyness(table: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    """Return each comparison's k terms most key to side a (largest positive G²)."""
    positive = table[table["g2"] > 0]
    return positive.groupby("comparison", sort=True).head(k).reset_index(drop=True)


TERMS_KEPT = 50_000  # per comparison, in the term tables a report writes


def strongest_terms(table: pd.DataFrame, by: str, q: str, keep: int = TERMS_KEPT) -> pd.DataFrame:
    """Return ``table`` with at most ``keep`` terms per comparison: every term at ``q`` < 0.05, then the largest |``by``|.

    For writing a term table (log-odds, keyness) of a large corpus: 20,000 articles have
    millions of word pairs, most used once, and a CSV of all of them is neither opened nor read.
    q-values stay those computed over every term; rows keep the table's order. Tables with
    at most ``keep`` terms per comparison come back unchanged.
    """
    if table.empty or table.groupby("comparison").size().max() <= keep:
        return table
    strength = table[by].abs().where(table[q] >= 0.05, np.inf)
    rank = strength.groupby(table["comparison"]).rank(method="first", ascending=False)
    return table[rank <= keep].reset_index(drop=True)
