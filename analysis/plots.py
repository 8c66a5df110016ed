"""Figures for a paper: each function takes a method's DataFrame and returns a matplotlib Figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from scipy.cluster.hierarchy import dendrogram

from . import schema

# One colour per group of the case study's coding in every figure (colour-blind-safe Okabe-Ito palette).
LABELLED = 150  # above this many articles, article-level figures drop their labels and keep a readable size
RASTER_FROM = 2_000  # points; denser scatters are drawn as one image inside the SVG (a 20,000-point SVG is ~75 MB)
GROUP_COLOURS = dict(zip(schema.GROUPS, ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#999999")))
_EXTRA = ["#56B4E9", "#F0E442", "#000000", "#882255", "#44AA99", "#117733", "#332288", "#AA4499"]


def group_colour(group: str, groups=()) -> str:
    """Return the fixed colour of a group (other groupings get a stable palette by sorted name)."""
    if group in GROUP_COLOURS:
        return GROUP_COLOURS[group]
    others = sorted(g for g in set(groups) | {group} if g not in GROUP_COLOURS)
    return _EXTRA[others.index(group) % len(_EXTRA)]


def _handles(groups) -> list[Patch]:
    """Return one coloured legend patch per group, sorted."""
    return [Patch(color=group_colour(g, groups), label=g) for g in sorted(set(groups))]


def _legend(ax, groups, **kwargs) -> None:
    ax.legend(handles=_handles(groups), title="group", frameon=False, **kwargs)


def _legend_below(fig: Figure, groups, fontsize: float = 8) -> None:
    """Put the group legend under the axes in space of its own (an axes-anchored one can cover the x label)."""
    fig.legend(handles=_handles(groups), title="group", frameon=False, loc="outside lower center", ncols=3,
               fontsize=fontsize)


def _grid(n: int, cols: int = 2, width: float = 6.0, height: float = 3.6) -> tuple[Figure, np.ndarray]:
    rows = max(1, int(np.ceil(n / cols)))
    fig = Figure(figsize=(width * min(n, cols), height * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, min(n, cols), squeeze=False).ravel())
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes


def distinctive_bars(table: pd.DataFrame, group_by: str = "group", title: str = "") -> Figure:
    """Return diverging bars per group: terms used more (right) and less (left) than by the others.

    With bootstrap columns (``stability``, ``ci_low``, ``ci_high``), bars show the 95% interval
    and fade with low stability; the share of resamples keeping the term is written at the bar.
    """
    groups = list(dict.fromkeys(table[group_by]))
    fig, axes = _grid(len(groups), cols=2, height=0.28 * table.groupby(group_by).size().max() + 1.2)
    for ax, group in zip(axes, groups):
        sub = table[table[group_by] == group]
        # strongest at the ends: "under" rank 1 at the bottom, "over" rank 1 at the top
        sub = pd.concat([sub[sub.direction == "under"], sub[sub.direction == "over"].iloc[::-1]])
        y = np.arange(len(sub))
        alpha = sub["stability"].clip(0.25, 1).to_numpy() if "stability" in sub else np.ones(len(sub))
        colours = [to_rgba(group_colour(group, groups) if d == "over" else "#777777", a)
                   for d, a in zip(sub.direction, alpha)]
        ax.barh(y, sub["score"], color=colours)
        if "ci_low" in sub:
            # the percentile interval need not contain the observed score: draw it as it is
            ax.hlines(y, sub["ci_low"], sub["ci_high"], color="black", linewidth=0.6)
            for yi, (s, st) in enumerate(zip(sub["score"], sub["stability"])):
                ax.text(0, yi, f" {st:.0%} " if s > 0 else f" {st:.0%} ", va="center",
                        ha="right" if s > 0 else "left", fontsize=6.5, color="#333333")
        ax.set_yticks(y, sub["term"], fontsize=8)
        ax.axvline(0, color="black", linewidth=0.6)
        n = int(sub["n_articles"].iloc[0]) if len(sub) else 0
        flag = " (fewer than 3: read with care)" if n < 3 else ""
        ax.set_title(f"{group} (n = {n}){flag}", fontsize=10, color=group_colour(group, groups))
        ax.set_xlabel("mean TF-IDF in group − mean in others", fontsize=8)
    fig.suptitle(title or f"Distinctive terms by {group_by}", fontsize=12)
    return fig


def seed_bars(table: pd.DataFrame, seed_label: str) -> Figure:
    """Return the seed's distinctive terms (vs the rest) and the terms it never uses."""
    fig = Figure(figsize=(12, 0.3 * table["rank"].max() * 2 + 1.5), layout="constrained")
    left, right = fig.subplots(1, 2)
    both = table[table.direction.isin(["seed", "rest"])]
    both = pd.concat([both[both.direction == "rest"], both[both.direction == "seed"].iloc[::-1]])
    y = np.arange(len(both))
    left.barh(y, both["score"], color=np.where(both.direction == "seed", GROUP_COLOURS["russian-state"], "#777777"))
    left.set_yticks(y, both["term"], fontsize=8)
    left.axvline(0, color="black", linewidth=0.6)
    left.set_xlabel("seed TF-IDF − mean TF-IDF of the others", fontsize=8)
    n_rest = int(table["n_rest"].iloc[0])
    left.set_title(f"{seed_label} vs the other {n_rest} articles", fontsize=10)
    absent = table[table.direction == "absent"].iloc[::-1]
    ya = np.arange(len(absent))
    right.barh(ya, absent["rest_df"], color="#777777")
    right.set_yticks(ya, absent["term"], fontsize=8)
    right.set_xlabel(f"articles using the term (of {n_rest})", fontsize=8)
    right.set_title(f"Terms {seed_label} never uses", fontsize=10)
    fig.suptitle("What the seed says, and what it leaves out", fontsize=12)
    return fig


def log_odds_funnel(table: pd.DataFrame, comparison: str, label_top: int = 12, q_crit: float = 0.05) -> Figure:
    """Return a funnel plot of one comparison: term frequency (log) against z; terms at q < ``q_crit`` marked and labelled.

    Dashed lines: |z| = 1.96, the unadjusted 5% level, for reference; with thousands of terms
    tested, only the marked terms (Benjamini-Hochberg q < ``q_crit``) pass.
    """
    sub = table[table["comparison"] == comparison]
    fig = Figure(figsize=(8, 5.5), layout="constrained")
    ax = fig.subplots()
    significant = sub["q_value"] < q_crit
    ax.scatter(sub.loc[~significant, "frequency"], sub.loc[~significant, "z"], s=6, color="#BBBBBB",
               label=f"q ≥ {q_crit} ({int((~significant).sum())})", rasterized=len(sub) > RASTER_FROM)
    ax.scatter(sub.loc[significant, "frequency"], sub.loc[significant, "z"], s=12, color="#D55E00",
               label=f"q < {q_crit} ({int(significant.sum())}; Benjamini-Hochberg)")
    ax.set_xscale("log")
    z_crit = 1.96
    ax.axhline(z_crit, color="black", linewidth=0.5, linestyle="--", label="|z| = 1.96 (unadjusted p = 0.05, for reference)")
    ax.axhline(-z_crit, color="black", linewidth=0.5, linestyle="--")
    labelled = pd.concat([sub.nlargest(label_top // 2, "z"), sub.nsmallest(label_top // 2, "z")]).drop_duplicates("term")
    labelled = labelled[labelled["q_value"] < q_crit]
    for i, (_, row) in enumerate(labelled.iterrows()):
        right = i % 2 == 0  # alternate sides and heights so neighbouring labels do not collide
        ax.annotate(row["term"], (row["frequency"], row["z"]), fontsize=7.5, ha="left" if right else "right",
                    xytext=(8 if right else -8, 10 * (i % 3) - 10), textcoords="offset points",
                    arrowprops={"arrowstyle": "-", "color": "#999999", "lw": 0.5})
    a, b = (comparison.split(" vs ") + ["all others"])[:2]
    ax.set_xlabel("term frequency in the compared articles (log scale)")
    ax.set_ylabel(f"z (log-odds, informative Dirichlet prior)\n↑ {a}   ↓ {b}")
    n_a, n_b = int(sub["n_articles_a"].iloc[0]), int(sub["n_articles_b"].iloc[0])
    ax.set_title(f"Fightin' Words: {a} (n = {n_a}) vs {b} (n = {n_b})", fontsize=11)
    fig.legend(*ax.get_legend_handles_labels(), frameon=False, fontsize=8, loc="outside lower center", ncols=3)
    return fig


def similarity_heatmap(matrix: pd.DataFrame, order: list[str], articles: pd.DataFrame,
                       group_by: str = "group", label: str = "label", title: str = "",
                       measure: str = "cosine similarity of TF-IDF vectors") -> Figure:
    """Return the article x article cosine similarity, clustered order, with a group colour band.

    ``articles`` gives each row's ``group_by`` and ``label`` (by ``article_id``); ``title`` and
    ``measure`` (the colour bar) name what is compared when rows are not articles.
    """
    meta = articles.set_index("article_id").loc[order]
    data = matrix.loc[order, order].to_numpy()
    n = len(order)
    size = max(6.0, 0.22 * n + 2.5) if n <= LABELLED else 10.0  # past LABELLED articles: no names, page size
    fig = Figure(figsize=(size + 1.5, size), layout="constrained")
    band, ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [0.4, n]}, sharey=True)
    off = data.copy()
    np.fill_diagonal(off, np.nan)
    image = ax.imshow(data, cmap="viridis", vmin=0, vmax=np.nanmax(off) if n > 1 else 1, aspect="auto")
    groups = meta[group_by].astype(str).tolist()
    band.imshow(np.array([[to_rgba(group_colour(g, groups))] for g in groups]), aspect="auto")
    band.set_xticks([])
    names = meta[label].tolist()
    if n <= LABELLED:
        band.set_yticks(range(n), names, fontsize=7)
        ax.set_xticks(range(n), names, fontsize=7, rotation=90)
    else:
        band.set_yticks([])
        ax.set_xticks([])
        ax.set_xlabel(f"{n:,} articles in clustered order (too many to name; see tables/similarity_pairs.csv)")
    fig.colorbar(image, ax=ax, shrink=0.6, label=measure)
    _legend(ax, groups, bbox_to_anchor=(1.25, 1.0), loc="upper left", fontsize=8)
    ax.set_title(title or f"Article similarity, clustered (n = {n} articles)", fontsize=11)
    return fig


def similarity_dendrogram(linkage_matrix: np.ndarray, articles: pd.DataFrame, group_by: str = "group",
                          label: str = "label", title: str = "") -> Figure:
    """Return the average-linkage dendrogram with leaf labels coloured by group (``title`` when leaves are not articles)."""
    n = len(articles)
    fig = Figure(figsize=(8, max(4.0, 0.22 * n + 1.5) if n <= LABELLED else 9.0), layout="constrained")
    ax = fig.subplots()
    names = articles[label].tolist()
    groups = articles[group_by].astype(str).tolist()
    labelled = n <= LABELLED
    tree = dendrogram(linkage_matrix, labels=names if labelled else None, orientation="left", ax=ax,
                      color_threshold=0, above_threshold_color="#555555", leaf_font_size=7, no_labels=not labelled,
                      truncate_mode=None if labelled else "lastp", p=LABELLED)
    for tick, leaf in zip(ax.get_yticklabels() if labelled else [], tree["leaves"]):
        tick.set_color(group_colour(groups[leaf], groups))
    if not labelled:
        ax.set_ylabel(f"the top {LABELLED} clusters of {n:,} articles (too many to name each)")
    ax.set_xlabel("cosine distance (average linkage)")
    ax.set_title(title or f"Which articles read alike (n = {n})", fontsize=11)
    _legend_below(fig, groups)
    return fig


def similarity_map(coords: pd.DataFrame, articles: pd.DataFrame, seed_id: str, group_by: str = "group",
                   label: str = "label") -> Figure:
    """Return the 2-D map of articles (LSA), coloured by group, with the seed marked."""
    data = coords.merge(articles[["article_id", group_by, label]], on="article_id")
    groups = data[group_by].astype(str).tolist()
    fig = Figure(figsize=(8, 6), layout="constrained")
    ax = fig.subplots()
    ax.scatter(data["x"], data["y"], c=[group_colour(g, groups) for g in groups], s=36 if len(data) <= RASTER_FROM else 6,
               edgecolor="white" if len(data) <= RASTER_FROM else "none", rasterized=len(data) > RASTER_FROM)
    seed = data[data["article_id"] == seed_id]
    ax.scatter(seed["x"], seed["y"], s=160, facecolor="none", edgecolor="black", linewidth=1.5)
    for _, row in seed.iterrows():
        ax.annotate(f"seed: {row[label]}", (row["x"], row["y"]), xytext=(8, 8), textcoords="offset points", fontsize=8)
    ax.set_xlabel("LSA dimension 1")
    ax.set_ylabel("LSA dimension 2")
    ax.set_title(f"Articles in two dimensions (TruncatedSVD of TF-IDF, n = {len(data)})", fontsize=11)
    _legend(ax, groups, loc="best", fontsize=8)
    return fig


def neighbour_bars(neighbours: pd.DataFrame, articles: pd.DataFrame, seed_label: str,
                   group_by: str = "group", label: str = "label") -> Figure:
    """Return the seed's nearest articles as bars coloured by group."""
    data = neighbours.merge(articles[["article_id", group_by, label, "relation"]], on="article_id").iloc[::-1]
    groups = data[group_by].astype(str).tolist()
    fig = Figure(figsize=(7, 0.4 * len(data) + 1.3), layout="constrained")
    ax = fig.subplots()
    ax.barh(range(len(data)), data["similarity"], color=[group_colour(g, groups) for g in groups])
    ax.set_yticks(range(len(data)), [f"{n} ({r})" for n, r in zip(data[label], data["relation"])], fontsize=8)
    ax.set_xlabel("cosine similarity to the seed")
    ax.set_title(f"Nearest articles to {seed_label} (cosine of TF-IDF)", fontsize=11)
    _legend_below(fig, groups)
    return fig


def naming_stacked(shares: pd.DataFrame, group_by: str = "group", title: str = "") -> Figure:
    """Return stacked bars per concept: each group's share of mentions by variant (panels grow with the groups)."""
    concepts = list(dict.fromkeys(shares["concept"]))
    n_rows = shares[group_by].nunique()
    fig, axes = _grid(len(concepts), cols=2, width=6.5, height=max(2.6, 0.24 * n_rows + 1.3))
    cmap = ["#4C72B0", "#DD8452", "#C44E52", "#8172B3", "#937860"]
    for ax, concept in zip(axes, concepts):
        sub = shares[shares["concept"] == concept]
        table = sub.pivot(index=group_by, columns="variant", values="share")
        variants = list(dict.fromkeys(sub["variant"]))
        table = table.reindex(columns=variants)
        mentions = sub.groupby(group_by, sort=False)["count"].sum()
        left = np.zeros(len(table))
        for k, variant in enumerate(variants):
            values = table[variant].fillna(0).to_numpy()
            ax.barh(range(len(table)), values, left=left, color=cmap[k % len(cmap)], label=variant)
            left += values
        n_art = sub.groupby(group_by, sort=False)["n_articles"].first()
        ax.set_yticks(range(len(table)), [f"{g} (n={n_art[g]}, {mentions[g]} mention{'' if mentions[g] == 1 else 's'})"
                                        for g in table.index], fontsize=7.5)
        ax.set_xlim(0, 1)
        ax.set_title(f"{concept}", fontsize=10)
        ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.18 * 2.6 / max(2.6, 0.24 * n_rows + 1.3)),
                  ncol=len(variants))
    fig.suptitle(title or "Naming choices: share of each group's mentions (blank = never mentioned)", fontsize=12)
    return fig


def edition_grid(table: pd.DataFrame, outlet: str) -> Figure:
    """Return what one outlet's editions name and include, language by language: counts in a grid.

    Rows are the lexicon variants any edition uses and the context items; columns the editions
    (language and article). Empty cells: not used (naming) or omitted (context).
    """
    table = table.assign(row=np.where(table["concept"] == "context", "context: " + table["variant"],
                                      table["concept"] + ": " + table["variant"]),
                         column=table["edition"] + "\n" + table["article_id"])
    used = table.groupby("row", sort=False)["count"].sum()
    naming = [r for r in used.index if not r.startswith("context: ") and used[r] > 0]
    context = [r for r in used.index if r.startswith("context: ")]
    rows = naming + context
    grid = table.pivot_table(index="row", columns="column", values="count", aggfunc="sum").reindex(rows)
    fig = Figure(figsize=(2.0 + 1.3 * grid.shape[1], 0.26 * len(rows) + 1.8), layout="constrained")
    ax = fig.subplots()
    values = grid.to_numpy(dtype=float)
    ax.imshow(np.where(values > 0, np.log1p(values), np.nan), cmap="Blues", vmin=0, vmax=np.log1p(np.nanmax(values) or 1) * 1.2,
              aspect="auto")
    for (i, j), v in np.ndenumerate(values):
        if v > 0:
            ax.text(j, i, f"{int(v)}", ha="center", va="center", fontsize=7)
    ax.set_yticks(range(len(rows)), rows, fontsize=7.5)
    ax.set_xticks(range(grid.shape[1]), grid.columns, fontsize=7.5)
    ax.xaxis.tick_top()
    ax.axhline(len(naming) - 0.5, color="black", linewidth=0.8)
    ax.set_title(f"What {outlet} tells readers in each language\nnaming (counts; above the line), context included (below)",
                 fontsize=10)
    return fig


def scare_quote_bars(table: pd.DataFrame, group_by: str = "group", top: int = 8, all_groups=()) -> Figure:
    """Return each group's most frequent quoted short phrases, per 1,000 tokens.

    Groups in ``all_groups`` that quote nothing get an empty panel saying so.
    """
    groups = sorted(set(table[group_by]) | set(all_groups))
    fig, axes = _grid(max(1, len(groups)), cols=2, width=5.5, height=0.3 * top + 1.2)
    for ax, group in zip(axes, groups):
        sub = table[table[group_by] == group].head(top).iloc[::-1]
        if sub.empty:
            ax.text(0.5, 0.5, "no quoted 1–3-word phrases", ha="center", va="center", transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(group, fontsize=10, color=group_colour(group, groups))
            continue
        ax.barh(range(len(sub)), sub["per_1000_tokens"], color=group_colour(group, groups))
        ax.set_yticks(range(len(sub)), [f"“{p}” ×{c}" for p, c in zip(sub["phrase"], sub["count"])], fontsize=8)
        ax.set_xlabel("per 1,000 tokens", fontsize=8)
        ax.set_title(f"{group} (n = {int(sub['n_articles'].iloc[0])})", fontsize=10, color=group_colour(group, groups))
    if not groups:
        axes[0].text(0.5, 0.5, "no quoted short phrases in these articles", ha="center")
    fig.suptitle("Phrases put in quotation marks (1–3 words), most frequent first", fontsize=12)
    return fig


OUTLETS_FROM = 2_000  # articles; above, figures with a column per article show one per outlet


def _outlet_coverage(coverage: pd.DataFrame, articles: pd.DataFrame, seed_id: str, group_by: str,
                     items: list) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Return (items x units share of articles including each item, unit labels, unit groups): the seed alone first, then outlets by group."""
    meta = articles.set_index("article_id")
    unit = pd.Series(np.where(meta.index == seed_id, "\0seed", meta["outlet_id"].astype(str)), index=meta.index)
    share = coverage.assign(unit=coverage["article_id"].map(unit)).pivot_table(
        index="item", columns="unit", values="included", aggfunc="mean").loc[items]
    units = meta.assign(unit=unit).groupby("unit").agg(
        outlet=("outlet_name", "first"), n=("outlet_name", "size"),
        group=(group_by, schema.most_common))
    units = units.assign(_seed=units.index != "\0seed").sort_values(["_seed", "group", "outlet"])
    labels = [f"seed: {o}" if u == "\0seed" else f"{o} ({k:,})" for u, o, k in zip(units.index, units["outlet"], units["n"])]
    return share[units.index], labels, units["group"].tolist()


def context_grid(coverage: pd.DataFrame, articles: pd.DataFrame, seed_id: str, group_by: str = "group",
                 label: str = "label") -> Figure:
    """Return the items x articles coverage matrix, articles ordered by group, seed first.

    Above :data:`OUTLETS_FROM` articles a column is an outlet (the share of its articles that
    mention each item; the seed alone first), and the figure says so.
    """
    items = list(dict.fromkeys(coverage["item"]))
    if len(articles) > OUTLETS_FROM:
        return _context_by_outlet(coverage, articles, seed_id, group_by, items)
    meta = articles.assign(_seed=articles["article_id"].ne(seed_id)).sort_values(["_seed", group_by, label])
    order = meta["article_id"].tolist()
    labels = coverage.drop_duplicates("item").set_index("item")["label"]
    grid = coverage.pivot(index="item", columns="article_id", values="included").loc[items, order].astype(float)
    groups = meta[group_by].astype(str).tolist()
    width = max(7.0, 0.25 * len(order) + 4) if len(order) <= LABELLED else 12.0
    fig = Figure(figsize=(width, 0.32 * len(items) + 2.8), layout="constrained")
    ax = fig.subplots()
    ax.imshow(grid.to_numpy(), cmap="Greys", vmin=0, vmax=1.6, aspect="auto", interpolation="nearest")
    ax.set_yticks(range(len(items)), [labels[i] for i in items], fontsize=8)
    if len(order) <= LABELLED:
        ax.set_xticks(range(len(order)), meta[label], rotation=90, fontsize=7)
        for tick, group in zip(ax.get_xticklabels(), groups):
            tick.set_color(group_colour(group, groups))
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{len(order):,} articles, seed first, then by {group_by} (too many to name; see the table)")
    ax.axvline(0.5, color=GROUP_COLOURS["russian-state"], linewidth=1.2)
    ax.set_title(f"Context included in the lead (dark = mentioned); seed first, then by {group_by} (n = {len(order)})",
                 fontsize=10)
    _legend(ax, groups, bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=8)
    return fig


def _context_by_outlet(coverage: pd.DataFrame, articles: pd.DataFrame, seed_id: str, group_by: str,
                       items: list) -> Figure:
    """Return the context grid with a column per outlet: the share of its articles mentioning each item."""
    share, names, groups = _outlet_coverage(coverage, articles, seed_id, group_by, items)
    labels = coverage.drop_duplicates("item").set_index("item")["label"]
    labelled = len(names) <= LABELLED
    fig = Figure(figsize=(max(7.0, 0.25 * len(names) + 5) if labelled else 12.0, 0.32 * len(items) + 3.2),
                 layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(share.to_numpy(dtype=float), cmap="Greys", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    ax.set_yticks(range(len(items)), [labels[i] for i in items], fontsize=8)
    if labelled:
        ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
        for tick, group in zip(ax.get_xticklabels(), groups):
            tick.set_color(group_colour(group, groups))
    else:
        ax.set_xticks([])
    ax.set_xlabel(f"{len(articles):,} articles are too many to show one by one: each column is an outlet "
                  f"({len(names) - 1:,}, by {group_by}); the seed alone first")
    ax.axvline(0.5, color=GROUP_COLOURS["russian-state"], linewidth=1.2)
    fig.colorbar(image, ax=ax, shrink=0.7, label="share of the outlet's articles mentioning it")
    ax.set_title(f"Context included in the lead, by outlet (n = {len(articles):,} articles)", fontsize=10)
    _legend(ax, groups, bbox_to_anchor=(1.12, 1), loc="upper left", fontsize=8)
    return fig


def corpus_overview(articles: pd.DataFrame, group_by: str = "group") -> Figure:
    """Return articles by group and language, by relation, and by publication date."""
    fig = Figure(figsize=(15, 4.5), layout="constrained")
    a, b, c = fig.subplots(1, 3)
    counts = pd.crosstab(articles["language"], articles[group_by])
    groups = list(counts.columns)
    bottom = np.zeros(len(counts))
    for g in groups:
        a.bar(counts.index, counts[g], bottom=bottom, color=group_colour(g, groups), label=g)
        bottom += counts[g].to_numpy()
    a.set_title(f"Articles by language and {group_by} (n = {len(articles)})", fontsize=10)
    a.set_ylabel("articles")
    _legend(a, groups, fontsize=7)
    rel = articles["relation"].value_counts().sort_index()
    b.barh(rel.index, rel.to_numpy(), color="#777777")
    b.set_title("Relation of the text to its origin", fontsize=10)
    dates = articles["published"].dt.strftime("%d %b").fillna("unknown").value_counts().sort_index()
    c.bar(dates.index, dates.to_numpy(), color="#777777")
    c.set_title("Publication date (2022)", fontsize=10)
    return fig


_VERDICT_COLOURS = {"seed includes, most omit": "#D55E00", "seed omits, most include": "#0072B2", "as most": "#EEEEEE"}


def _length_panel(ax, rows: pd.DataFrame, title: str) -> None:
    """Draw one panel of the seed-length figure: items down, matched/full across, a coloured cell where it holds."""
    for y, row in enumerate(rows.itertuples()):
        for x, value in enumerate((row.matched, row.full)):
            colour = _VERDICT_COLOURS.get(value, "#E69F00" if value else "#FFFFFF")
            ax.add_patch(Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="#BBBBBB", linewidth=0.5))
            shown = {"seed includes, most omit": "includes", "seed omits, most include": "omits", "as most": ""}
            ax.text(x + 0.5, y + 0.5, shown.get(value, value), ha="center", va="center", fontsize=7)
    ax.set_xlim(0, 2)
    ax.set_ylim(len(rows), 0)
    ax.set_xticks([0.5, 1.5], ["matched", "full"])
    ax.set_yticks(np.arange(len(rows)) + 0.5, [str(i) for i in rows["item"]], fontsize=7.5)
    ax.tick_params(length=0)
    ax.set_title(title, fontsize=10)


def seed_length_sensitivity(table: pd.DataFrame, seed_label: str = "the seed") -> Figure:
    """Return the seed's top terms (rank) and context verdicts with its lead matched in length and whole, side by side."""
    kinds = [k for k in ("seed term", "context verdict") if (table["kind"] == k).any()]
    heights = [max(3.0, 0.22 * (table["kind"] == k).sum() + 1) for k in kinds]
    fig = Figure(figsize=(4.2 * len(kinds) + 1, max(heights)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(kinds)))
    for ax, kind in zip(axes, kinds):
        rows = table[table["kind"] == kind]
        title = "top terms (rank)" if kind == "seed term" else "context (seed vs most others)"
        _length_panel(ax, rows, f"{title}: {int(rows['holds'].sum())} of {len(rows)} hold")
    chars = table.iloc[0]
    fig.suptitle(f"What depends on length: {seed_label}'s first {int(chars['matched_chars']):,} characters "
                 f"(matched) vs all {int(chars['full_chars']):,}", fontsize=11)
    return fig
