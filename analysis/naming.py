"""Naming choices, scare quotes and context selection per article and per group."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .corpus import Corpus
from .lexicon import ContextItem, Variant, signal_counts
from .errors import ParameterError


def naming_counts(corpus: Corpus, variants: list[Variant]) -> pd.DataFrame:
    """Return one row per article x concept x variant: article_id, concept, variant, count.

    An ``unmarked`` variant counts its signals' mentions minus those of the concept's other
    variants in the same article (clipped at 0): "referendum" not already counted as
    "sham referendum" or as "referendum" in quotes.
    """
    if len(corpus) == 0:
        raise ParameterError("the corpus is empty: no naming to count")
    raw = {(v.concept, v.name): signal_counts(corpus, v.signals) for v in variants}
    frames = []
    for v in variants:
        count = raw[(v.concept, v.name)]
        if v.unmarked:
            others = sum((raw[(o.concept, o.name)] for o in variants if o.concept == v.concept and o is not v),
                         np.zeros(len(corpus), dtype=np.int64))
            count = np.clip(count - others, 0, None)
        frames.append(pd.DataFrame({"article_id": corpus.articles["article_id"], "concept": v.concept,
                                    "variant": v.name, "count": count}))
    return pd.concat(frames, ignore_index=True)


def naming_shares(counts: pd.DataFrame, articles: pd.DataFrame, group_by: str | list[str] = "group") -> pd.DataFrame:
    """Return per group x concept x variant: count, share of the concept's mentions, articles using it.

    ``share`` is NaN where a group never mentions the concept (not 0: nothing was chosen).
    ``group_by`` may list several columns (e.g. group and language): a cell per combination.
    """
    by = [group_by] if isinstance(group_by, str) else list(group_by)
    merged = counts.merge(articles[["article_id", *by]], on="article_id", validate="many_to_one")
    merged["uses"] = merged["count"] > 0
    table = merged.groupby([*by, "concept", "variant"], sort=False).agg(
        count=("count", "sum"), n_articles_using=("uses", "sum")).reset_index()
    n_articles = articles.groupby(by).size().rename("n_articles").reset_index()
    table = table.merge(n_articles, on=by)
    totals = table.groupby([*by, "concept"])["count"].transform("sum")
    table["share"] = table["count"] / totals.where(totals > 0)
    order = {c: i for i, c in enumerate(dict.fromkeys(counts["concept"]))}
    table["_order"] = table["concept"].map(order)
    table = table.sort_values([*by, "_order"], kind="stable").drop(columns="_order")
    return table.reset_index(drop=True)[[*by, "concept", "variant", "count", "share",
                                         "n_articles_using", "n_articles"]]


def scare_quotes(corpus: Corpus, group_by: str = "group", min_count: int = 1) -> pd.DataFrame:
    """Return per group x quoted phrase: count, articles using it, and count per 1,000 tokens.

    ``per_1000_tokens`` divides by all tokens of the group's articles, so groups of different
    size and excerpt length compare. Sorted by group, then rate descending, then phrase.
    """
    tidy = corpus.quoted.to_frame()
    a = corpus.articles[["article_id", group_by, "n_tokens"]]
    tokens = a.groupby(group_by)["n_tokens"].sum()
    n_articles = a.groupby(group_by).size()
    if tidy.empty:
        return pd.DataFrame(columns=[group_by, "phrase", "count", "n_articles_using", "n_articles",
                                     "group_tokens", "per_1000_tokens"])
    merged = tidy.merge(a, on="article_id")
    table = merged.groupby([group_by, "term"]).agg(count=("count", "sum"),
                                                   n_articles_using=("article_id", "nunique")).reset_index()
    table = table.rename(columns={"term": "phrase"})
    table = table[table["count"] >= min_count]
    table["n_articles"] = table[group_by].map(n_articles)
    table["group_tokens"] = table[group_by].map(tokens)
    table["per_1000_tokens"] = 1000 * table["count"] / table["group_tokens"]
    return table.sort_values([group_by, "per_1000_tokens", "phrase"], ascending=[True, False, True],
                             ignore_index=True)


def context_coverage(corpus: Corpus, items: list[ContextItem]) -> pd.DataFrame:
    """Return one row per article x context item: article_id, item, label, count, included."""
    if len(corpus) == 0:
        raise ParameterError("the corpus is empty: no context to find")
    frames = [pd.DataFrame({"article_id": corpus.articles["article_id"], "item": item.id,
                            "label": item.label, "count": signal_counts(corpus, item.signals)})
              for item in items]
    table = pd.concat(frames, ignore_index=True)
    table["included"] = table["count"] > 0
    return table


def context_shares(coverage: pd.DataFrame, articles: pd.DataFrame, group_by: str = "group") -> pd.DataFrame:
    """Return per group x item: articles including it, group size, and the share including it."""
    merged = coverage.merge(articles[["article_id", group_by]], on="article_id", validate="many_to_one")
    table = merged.groupby([group_by, "item", "label"], sort=False).agg(
        n_including=("included", "sum"), n_articles=("included", "size")).reset_index()
    table["share"] = table["n_including"] / table["n_articles"]
    return table.sort_values([group_by], kind="stable", ignore_index=True)


def seed_context_contrast(coverage: pd.DataFrame, seed_id: str) -> pd.DataFrame:
    """Return per item: whether the seed includes it, the share of other articles that do, and a verdict.

    ``verdict`` is "seed includes, most omit" / "seed omits, most include" when the seed
    differs from the majority of the other articles, else "as most" (sorted with contrasts first).
    """
    if seed_id not in set(coverage["article_id"]):
        raise ParameterError(f"seed {seed_id!r} is not in the coverage table")
    seed = coverage[coverage["article_id"] == seed_id].set_index("item")
    others = coverage[coverage["article_id"] != seed_id].groupby("item", sort=False)["included"].agg(["mean", "size"])
    table = pd.DataFrame({"item": others.index, "label": seed.loc[others.index, "label"].to_numpy(),
                          "seed_includes": seed.loc[others.index, "included"].to_numpy(),
                          "share_of_others": others["mean"].to_numpy(), "n_others": others["size"].to_numpy()})
    majority = table["share_of_others"] > 0.5
    table["verdict"] = np.select(
        [table["seed_includes"] & ~majority, ~table["seed_includes"] & majority],
        ["seed includes, most omit", "seed omits, most include"], "as most")
    table["gap"] = table["seed_includes"].astype(float) - table["share_of_others"]
    table.insert(0, "seed_id", seed_id)
    order = table.assign(_size=-table["gap"].abs()).sort_values(["_size", "item"]).index  # contrasts first
    return table.loc[order].reset_index(drop=True)
