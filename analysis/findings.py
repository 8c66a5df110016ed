"""Findings in words, generated from a notebook's own tables (never typed by hand).

Each function takes the tables a section wrote and returns a short Markdown text: what the
table says, with n per group, and a warning where a group is too small to read. A rerun on
another corpus rewrites the text from that corpus's tables.
"""

from __future__ import annotations

import pandas as pd

from .schema import SMALL_GROUP


def _quoted(terms) -> str:
    return ", ".join(f"“{t}”" for t in terms) or "none"


def _groups_line(sizes: pd.Series) -> str:
    """Return "a (n=9), b (n=2, too small to read)" for group sizes."""
    parts = [f"{g} (n={n}{', too small to read' if n < SMALL_GROUP else ''})" for g, n in sizes.items()]
    return ", ".join(parts)


def _sides(rows: pd.DataFrame) -> str:
    """Return "n=4 vs 23" for a comparison's rows, flagging a first side too small to read."""
    n_a, n_b = int(rows["n_articles_a"].iloc[0]), int(rows["n_articles_b"].iloc[0])
    return f"n={n_a} vs {n_b}" + (" — too small to read" if n_a < SMALL_GROUP else "")


def _bullets(title: str, lines: list[str]) -> str:
    return "\n".join([f"**Findings — {title}**", "", *[f"- {line}" for line in lines]])


def corpus_findings(articles: pd.DataFrame, study_articles: pd.DataFrame, group_by: str, language: str) -> str:
    """Return what the corpus holds and what this language's study compares, n per group."""
    sizes = study_articles.groupby(group_by).size()
    lines = [f"The corpus holds {len(articles)} articles from {articles['origin_id'].nunique()} outlets in "
             f"{articles['language'].nunique()} languages.",
             f"This study compares {len(study_articles)} {language!r} articles by {group_by!r}: {_groups_line(sizes)}."]
    small = [g for g, n in sizes.items() if n < SMALL_GROUP]
    if small:
        lines.append(f"Groups with fewer than {SMALL_GROUP} articles ({', '.join(small)}) are shown but not read as findings.")
    return _bullets("corpus", lines)


def copy_findings(clusters: pd.DataFrame, scores: dict, set_aside: pd.DataFrame | None = None,
                  disagreements: pd.DataFrame | None = None) -> str:
    """Return how many wire-copy clusters there are, the largest, pairs set aside as shared speech, and detection against the labels.

    ``disagreements``: :func:`analysis.similarity.copy_label_disagreements`, each pair named.
    """
    multi = clusters[clusters["size"] > 1]
    sizes = multi.groupby("cluster").size().sort_values(ascending=False, kind="stable")
    lines = [f"{len(sizes)} cluster(s) of copies join {len(multi)} of {len(clusters)} articles."]
    if len(sizes):
        biggest = multi[multi["cluster"] == sizes.index[0]]
        lines.append(f"The largest ({sizes.iloc[0]} articles) is kept as {biggest['representative'].iloc[0]}: "
                     f"{', '.join(sorted(biggest['article_id']))}.")
    if set_aside is not None and len(set_aside):
        named = "; ".join(f"{a} and {b}" for a, b in set_aside[["article_id_a", "article_id_b"]].itertuples(index=False))
        lines.append(f"{len(set_aside)} pair(s) share quoted speech but not their own prose and are not linked: {named}.")
    if scores.get("labelled"):
        lines.append(f"Against the {scores['labelled']} labelled copy pairs: precision {scores['precision']:.2f}, "
                     f"recall {scores['recall']:.2f}.")
    for row in (disagreements if disagreements is not None else pd.DataFrame()).itertuples(index=False):
        if row.kind == "missed":
            events = f"both tagged {row.shared_events}" if row.shared_events else "no event tag in common: two different texts?"
            lines.append(f"Missed: {row.article_id_a} and {row.article_id_b} (both {row.origin_a}'s; {events}).")
        else:
            lines.append(f"Extra: {row.article_id_a} and {row.article_id_b} (score {row.score:.2f}; labelled "
                         f"{row.relation_a} of {row.origin_a} and {row.relation_b} of {row.origin_b}).")
    return _bullets("wire copies", lines)


def distinctive_findings(table: pd.DataFrame, group_by: str, n: int = 5) -> str:
    """Return each group's most over-used terms (stable ones marked), n per group, small groups flagged."""
    lines = []
    for group, rows in table.groupby(group_by, sort=True):
        size, small = int(rows["n_articles"].iloc[0]), bool(rows["small_group"].iloc[0])
        over = rows[rows["direction"] == "over"].sort_values("rank").head(n)
        if "stability" in over:
            terms = [f"{t} ({s:.0%})" for t, s in zip(over["term"], over["stability"])]
        else:
            terms = list(over["term"])
        note = " — too small to read" if small else ""
        lines.append(f"{group} (n={size}{note}): {', '.join(terms) or 'no term above the rest'}")
    text = _bullets("distinctive terms", lines)
    if "stability" in table:
        text += "\n\nPercentages: share of bootstrap resamples in which the term stays in the group's top list."
    return text


def seed_findings(table: pd.DataFrame, seed_label: str, n: int = 5) -> str:
    """Return the terms the seed weights most above the others and the common terms it never uses."""
    seed = table[table["direction"] == "seed"].head(n)
    absent = table[table["direction"] == "absent"].head(n)
    n_rest = int(table["n_rest"].iloc[0]) if len(table) else 0
    lines = [f"{seed_label} weights most above the other {n_rest} articles: {_quoted(seed['term'])}."]
    if len(absent):
        used = ", ".join(f"“{t}” ({d} of {n_rest})" for t, d in zip(absent["term"], absent["rest_df"]))
        lines.append(f"Terms it never uses that others do: {used}.")
    if "seed_chars" in table and len(table):
        lines.append(f"Compared: the seed's first {int(table['seed_chars'].iloc[0]):,} characters against a median of "
                     f"{int(table['others_median_chars'].iloc[0]):,} for the others.")
    return _bullets("the seed", lines)


def log_odds_findings(table: pd.DataFrame, n: int = 5, q_crit: float = 0.05) -> str:
    """Return, per comparison, how many terms are more frequent at q < ``q_crit`` (Benjamini-Hochberg) and the strongest."""
    lines = []
    for comparison, rows in table.groupby("comparison", sort=True):
        passed = rows[(rows["q_value"] < q_crit) & (rows["z"] > 0)].sort_values(["z", "term"], ascending=[False, True])
        lines.append(f"{comparison} ({_sides(rows)}): {len(passed)} of {len(rows):,} terms more frequent "
                     f"at q < {q_crit}: {_quoted(passed['term'].head(n))}")
    return _bullets("log-odds (multiple testing controlled)", lines)


def keyness_findings(table: pd.DataFrame, n: int = 4, q_crit: float = 0.05) -> str:
    """Return, per comparison, how many terms are key to side a at q < ``q_crit`` (G²), the strongest with log ratio."""
    lines = []
    for comparison, rows in table.groupby("comparison", sort=True):
        key = rows[rows["g2"] > 0]
        passed = key[key["q_g2"] < q_crit]
        top = ", ".join(f"“{t}” (G² {g:.1f}, log ratio {r:+.1f})"
                        for t, g, r in zip(key["term"].head(n), key["g2"], key["log_ratio"]))
        lines.append(f"{comparison} ({_sides(rows)}): {len(passed)} of {len(rows):,} terms key at "
                     f"q < {q_crit}; strongest by G²: {top or 'none'}")
    if not lines:
        lines.append("no comparison: this language has neither two groups nor a seed with other articles")
    return _bullets("keyness (G² with Williams' correction, BH-adjusted)", lines)


def neighbour_findings(neighbours: pd.DataFrame, articles: pd.DataFrame, group_by: str, n: int = 3) -> str:
    """Return the seed's closest articles and which groups its top neighbours come from."""
    info = articles.set_index("article_id")
    top = neighbours.head(n)
    named = ", ".join(f"{info.loc[a, 'label']} ({info.loc[a, group_by]}, {s:.2f})"
                      for a, s in zip(top["article_id"], top["similarity"]))
    groups = neighbours["article_id"].map(info[group_by]).value_counts()
    lines = [f"Closest to the seed (cosine of TF-IDF): {named}.",
             f"Of its {len(neighbours)} nearest: " + ", ".join(f"{n_} {g}" for g, n_ in groups.items()) + "."]
    return _bullets("the seed's neighbours", lines)


def group_similarity_findings(groups: pd.DataFrame) -> str:
    """Return the most and least similar pairs of groups (mean cosine, n pairs)."""
    between = groups[groups["group_a"] < groups["group_b"]].sort_values(["similarity", "group_a"], ascending=[False, True])
    within = groups[groups["group_a"] == groups["group_b"]].sort_values("similarity", ascending=False)
    lines = []
    if len(between):
        hi, lo = between.iloc[0], between.iloc[-1]
        lines.append(f"Most alike: {hi.group_a} and {hi.group_b} ({hi.similarity:.3f}, {hi.n_pairs} pairs); "
                     f"least: {lo.group_a} and {lo.group_b} ({lo.similarity:.3f}, {lo.n_pairs} pairs).")
    if len(within):
        lines.append("Within groups: " + ", ".join(f"{r.group_a} {r.similarity:.3f}" for r in within.itertuples()) + ".")
    return _bullets("groups", lines)


def naming_findings(counts: pd.DataFrame, shares: pd.DataFrame, seed_id: str | None, seed_label: str | None,
                    group_by: str) -> str:
    """Return, per concept and variant in use, the seed's count (if there is a seed) and each group's articles using it."""
    seed = counts[counts["article_id"] == seed_id].set_index(["concept", "variant"])["count"]
    lines = []
    for (concept, variant), rows in shares.groupby(["concept", "variant"], sort=False):
        if rows["count"].sum() == 0 and seed.get((concept, variant), 0) == 0:
            continue
        by_group = ", ".join(f"{r[group_by]} {r.n_articles_using}/{r.n_articles}"
                             + ("*" if r.n_articles < SMALL_GROUP else "") for _, r in rows.iterrows())
        said = f"{seed_label} {int(seed.get((concept, variant), 0))}×; " if seed_id is not None else ""
        lines.append(f"{concept} “{variant}”: {said}articles using it: {by_group}")
    text = _bullets("naming", lines or ["no lexicon variant occurs in these articles"])
    return text + f"\n\nGroup a/b: a of the group's b articles use the form; * marks groups under {SMALL_GROUP} articles."


def quote_findings(quotes: pd.DataFrame, all_groups: pd.Series, group_by: str, n: int = 3) -> str:
    """Return each group's most frequent scare-quoted phrases per 1,000 tokens, with n articles."""
    sizes = all_groups.value_counts()
    lines = []
    for group in sorted(sizes.index):
        rows = quotes[quotes[group_by] == group].head(n)
        listed = ", ".join(f"“{p}” ({c:.1f})" for p, c in zip(rows["phrase"], rows["per_1000_tokens"]))
        note = ", too small to read" if sizes[group] < SMALL_GROUP else ""
        lines.append(f"{group} (n={sizes[group]}{note}): {listed or 'no scare quotes'}")
    return _bullets("scare quotes (per 1,000 tokens)", lines)


def context_findings(contrast: pd.DataFrame | None, shares: pd.DataFrame, seed_label: str | None, group_by: str) -> str:
    """Return what the seed includes that most others omit (and the reverse; if there is a seed), and each group's most covered item."""
    contrast = contrast if contrast is not None else pd.DataFrame(columns=["n_others", "verdict"])
    n_others = int(contrast["n_others"].iloc[0]) if len(contrast) else 0
    lines = []
    for verdict in ("seed includes, most omit", "seed omits, most include") if seed_label else ():
        rows = contrast[contrast["verdict"] == verdict]
        items = ", ".join(f"{label} ({share:.0%} of others)" for label, share in zip(rows["label"], rows["share_of_others"]))
        lines.append(f"{seed_label} — {verdict} ({n_others} others): {items or 'none'}")
    for group, rows in shares.groupby(group_by, sort=True):
        best = rows.sort_values(["share", "item"], ascending=[False, True]).iloc[0]
        size = int(best["n_articles"])
        note = ", too small to read" if size < SMALL_GROUP else ""
        lines.append(f"{group} (n={size}{note}) most often includes {best['label']} ({best['share']:.0%})")
    if "seed_chars" in contrast and len(contrast):
        lines.append(f"Compared: the seed's first {int(contrast['seed_chars'].iloc[0]):,} characters "
                     f"(others' median {int(contrast['others_median_chars'].iloc[0]):,}).")
    return _bullets("context", lines)


def kwic_findings(contexts: pd.DataFrame) -> str:
    """Return how many uses were found in texts and which articles could only be read at their URL."""
    text = contexts[contexts["source"] == "text"]
    only = contexts[contexts["source"] == "features only"].drop_duplicates("article_id")
    lines = [f"{len(text)} use(s) of {text['term'].nunique()} term(s) shown in their sentences, "
             f"from {text['article_id'].nunique()} article(s) with text."]
    if len(only):
        lines.append(f"{len(only)} article(s) that use these terms are held only as counts; "
                     "read them at the URLs in the table (or `python -m analysis fetch`).")
    return _bullets("terms in context", lines)


def length_findings(sensitivity: pd.DataFrame) -> str:
    """Return how many seed terms and context verdicts hold with the seed's lead matched in length and whole."""
    chars = sensitivity.iloc[0] if len(sensitivity) else None
    lines = []
    for kind, rows in sensitivity.groupby("kind", sort=False):
        only_full = rows[(rows["matched"] == "") | ((kind == "context verdict") & ~rows["holds"])]
        listed = _quoted(only_full["item"].head(6)) if kind == "seed term" else ", ".join(only_full["item"].head(8))
        lines.append(f"{kind}s: {int(rows['holds'].sum())} of {len(rows)} hold in both; only with the whole seed: "
                     f"{listed or 'none'}")
    if chars is not None:
        lines.append(f"Matched: the seed's first {int(chars['matched_chars']):,} characters; whole: {int(chars['full_chars']):,}. "
                     "What appears only with the whole seed is a length effect, not framing.")
    return _bullets("what depends on the seed's length", lines)


def robustness_findings(robust: pd.DataFrame) -> str:
    """Return how many findings of each kind hold in every variant, and which."""
    lines = []
    for finding, rows in robust.groupby("finding", sort=True):
        every = rows[rows["share_holding"] == 1]
        named = ", ".join(f"{g}: {i}" if g != "seed" else str(i) for g, i in zip(every["group"], every["item"]))
        lines.append(f"{finding}: {len(every)} of {len(rows)} hold in every variant"
                     + (f" ({named})" if 0 < len(every) <= 12 else ""))
    if robust.empty:
        lines.append("no finding to test")
    variants = [c for c in robust.columns if c not in ("finding", "group", "item", "baseline", "n_variants", "share_holding")]
    return _bullets("robustness", lines) + f"\n\nVariants: {', '.join(variants)}."


def across_naming_findings(shares: pd.DataFrame, group_by: str, concepts=("capital", "region", "vote", "outcome",
                                                                       "official", "control", "war")) -> str:
    """Return, per concept, each group's most used variant across languages (share of mentions, n articles)."""
    lines = []
    for concept in concepts:
        rows = shares[(shares["concept"] == concept) & (shares["count"] > 0)]
        if rows.empty:
            continue
        top = rows.sort_values([group_by, "share", "variant"], ascending=[True, False, True]).groupby(group_by).head(1)
        parts = [f"{r[group_by]} “{r['variant']}” {r['share']:.0%} (n={r['n_articles']}"
                 f"{', too small to read' if r['n_articles'] < SMALL_GROUP else ''})" for _, r in top.iterrows()]
        lines.append(f"{concept}: " + "; ".join(parts))
    return _bullets("naming across languages (each group's most used form)", lines or ["no variant occurs"])


def editions_findings(editions: pd.DataFrame, outlet: str) -> str:
    """Return, per concept an outlet's editions name, the forms each language's edition uses, and the context they differ on."""
    lines = []
    editions = editions.assign(language=editions["edition"])
    languages = list(dict.fromkeys(editions["language"]))
    naming = editions[editions["concept"] != "context"]
    for concept, rows in naming.groupby("concept", sort=False):
        used = rows[rows["count"] > 0]
        if used.empty:
            continue
        by_language = [f"{lang}: " + (", ".join(f"{v} {c}" for v, c in zip(sub["variant"], sub["count"])) or "—")
                       for lang in languages for sub in [used[used["language"] == lang]]]
        lines.append(f"{concept} — " + "; ".join(by_language))
    context = editions[editions["concept"] == "context"].groupby(["variant", "language"], sort=False)["count"].sum() > 0
    for item, included in context.groupby(level=0, sort=False):
        langs = included.droplevel(0)
        if 0 < langs.sum() < len(langs):
            lines.append(f"context “{item}”: included in {', '.join(langs[langs].index)}; omitted in {', '.join(langs[~langs].index)}")
    return _bullets(f"{outlet} across its {len(languages)} languages", lines or ["the editions name nothing the lexicons list"])


def profile_findings(similarity: pd.DataFrame, profiles: pd.DataFrame, n: int = 5, min_mentions: int = 5) -> str:
    """Return the outlet-languages most alike across languages, and how alike each outlet's own editions are.

    Only units with at least ``min_mentions`` lexicon mentions are read: sparser profiles match trivially.
    """
    info = profiles.set_index("unit")
    readable = set(info.index[info["n_mentions"] >= min_mentions])
    similarity = similarity[similarity["unit_a"].isin(readable) & similarity["unit_b"].isin(readable)]
    language, origin = info["language"], info["origin_name"]
    across = similarity[similarity["unit_a"].map(language) != similarity["unit_b"].map(language)]
    lines = [f"Read: {len(readable)} of {len(profiles)} outlet-languages with at least {min_mentions} naming mentions."]
    label = info["label"]
    lines += ["Most alike in another language: " + "; ".join(
        f"{label[a]} & {label[b]} {s:.2f}" for a, b, s in across.head(n)[["unit_a", "unit_b", "similarity"]].itertuples(index=False))]
    own = similarity[similarity["unit_a"].map(origin) == similarity["unit_b"].map(origin)]
    if len(own):
        lines.append("Editions of one outlet: " + "; ".join(
            f"{label[a]} & {label[b]} {s:.2f}" for a, b, s in own[["unit_a", "unit_b", "similarity"]].itertuples(index=False)))
    lines.append("* some of the unit's articles are copies, rewrites or translations (another site's version of the outlet's text).")
    return _bullets("who names and selects alike, whatever the language", lines)
