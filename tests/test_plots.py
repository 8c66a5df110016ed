"""Plot functions on small frames: they return Figures with the expected bars and labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import plots


def distinctive_frame(stability=True):
    rows = []
    for group in ("russian-state", "western"):
        for direction, sign in (("over", 1), ("under", -1)):
            for rank in (1, 2, 3):
                rows.append({"group": group, "n_articles": 2 if group == "western" else 4, "small_group": group == "western",
                             "direction": direction, "rank": rank, "term": f"{group[:3]}-{direction}-{rank}",
                             "score": sign * (0.4 - 0.1 * rank)})
    frame = pd.DataFrame(rows)
    if stability:
        frame = frame.assign(stability=0.8, ci_low=frame.score - 0.05, ci_high=frame.score + 0.05)
    return frame


def test_distinctive_bars_counts_bars_and_flags_small_groups():
    fig = plots.distinctive_bars(distinctive_frame())
    assert isinstance(fig, Figure)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2
    assert [len(ax.patches) for ax in axes] == [6, 6]
    assert axes[1].get_title() == "western (n = 2) (fewer than 3: read with care)"
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert labels[-1] == "rus-over-1" and labels[0] == "rus-under-1"
    assert plots.distinctive_bars(distinctive_frame(stability=False)).axes[0].patches
    outside = distinctive_frame().assign(ci_low=lambda f: f.score + 0.01, ci_high=lambda f: f.score + 0.02)
    assert len(plots.distinctive_bars(outside).axes[0].collections) == 1  # interval off the score: still drawn


def test_group_colours_are_fixed():
    assert plots.group_colour("western") == "#009E73"
    assert plots.group_colour("United Kingdom", ["France", "United Kingdom"]) == plots._EXTRA[1]


def test_log_odds_funnel_labels_only_terms_passing_the_fdr():
    table = pd.DataFrame({"comparison": "a vs b", "term": ["x", "y", "w", "z"], "frequency": [10, 5, 4, 2],
                          "z": [3.0, -2.5, 2.1, 0.5], "q_value": [0.01, 0.04, 0.06, 0.9],
                          "n_articles_a": 3, "n_articles_b": 4})
    fig = plots.log_odds_funnel(table, "a vs b")
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["x", "y"]
    assert ax.get_title() == "Fightin' Words: a (n = 3) vs b (n = 4)"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["q ≥ 0.05 (2)", "q < 0.05 (2; Benjamini-Hochberg)",
                                                                 "|z| = 1.96 (unadjusted p = 0.05, for reference)"]


def test_naming_stacked_keeps_groups_that_never_mention_a_concept():
    shares = pd.DataFrame({"group": ["g1", "g1", "g2", "g2"], "concept": "capital", "variant": ["Kyiv", "Kiev"] * 2,
                           "count": [3, 1, 0, 0], "share": [0.75, 0.25, np.nan, np.nan],
                           "n_articles_using": [2, 1, 0, 0], "n_articles": [2, 2, 1, 1]})
    ax = plots.naming_stacked(shares).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["g1 (n=2, 4 mentions)", "g2 (n=1, 0 mentions)"]
    assert len(ax.patches) == 4


def test_similarity_figures():
    ids = ["a", "b", "c"]
    articles = pd.DataFrame({"article_id": ids, "group": ["western", "ukrainian", "western"],
                             "label": ["A", "B", "C"], "relation": "original"})
    matrix = pd.DataFrame(np.array([[1, .2, .5], [.2, 1, .1], [.5, .1, 1]]), index=ids, columns=ids)
    fig = plots.similarity_heatmap(matrix, ["a", "c", "b"], articles)
    assert [t.get_text() for t in fig.axes[1].get_xticklabels()] == ["A", "C", "B"]
    coords = pd.DataFrame({"article_id": ids, "x": [0, 1, 2], "y": [0, 1, 0]})
    assert "seed: A" in [t.get_text() for t in plots.similarity_map(coords, articles, "a").axes[0].texts]
    nn = pd.DataFrame({"seed_id": "a", "rank": [1, 2], "article_id": ["c", "b"], "similarity": [.5, .2]})
    assert len(plots.neighbour_bars(nn, articles, "A").axes[0].patches) == 2


def test_scare_quote_bars_show_groups_that_quote_nothing():
    table = pd.DataFrame({"group": ["western"], "phrase": ["referendum"], "count": [2], "n_articles_using": [1],
                          "n_articles": [3], "group_tokens": [500], "per_1000_tokens": [4.0]})
    fig = plots.scare_quote_bars(table, all_groups=["russian-state", "western"])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["russian-state", "western (n = 3)"]
    assert visible[0].texts[0].get_text() == "no quoted 1–3-word phrases"
    assert len(visible[1].patches) == 1


def test_article_level_figures_stay_readable_at_any_n():
    import numpy as np
    from scipy.cluster.hierarchy import linkage

    n = 400
    rng = np.random.default_rng(0)
    ids = [f"a{i:04d}" for i in range(n)]
    articles = pd.DataFrame({"article_id": ids, "label": ids, "group": rng.choice(["x", "y", "z"], n)})
    points = rng.random((n, 5))
    matrix = pd.DataFrame(points @ points.T / 5, index=ids, columns=ids)
    heat = plots.similarity_heatmap(matrix, ids, articles, "group")
    assert max(heat.get_size_inches()) == 11.5  # a page, not 35 inches of unlabelled rows
    assert heat.axes[1].get_xticklabels() == [] and "400 articles" in heat.axes[1].get_xlabel()
    tree = plots.similarity_dendrogram(linkage(points, "average"), articles, "group")
    assert tree.get_size_inches()[1] == 9.0 and "of 400 articles" in tree.axes[0].get_ylabel()
    coverage = pd.DataFrame({"article_id": np.repeat(ids, 2), "item": ["a", "b"] * n, "label": ["A", "B"] * n,
                             "included": rng.random(2 * n) < 0.3})
    grid = plots.context_grid(coverage, articles, "a0000", "group")
    assert grid.get_size_inches()[0] == 12.0
    for fig in (heat, tree, grid):
        fig.savefig(__import__("io").BytesIO(), format="png", dpi=50)  # renders without running out of memory


def test_context_grid_shows_outlets_above_its_size(monkeypatch):
    monkeypatch.setattr(plots, "OUTLETS_FROM", 5)
    ids = [f"a{i}" for i in range(7)]
    articles = pd.DataFrame({"article_id": ids, "label": ids, "outlet_id": ["rt", "o1", "o1", "o1", "o2", "o2", "o2"],
                             "outlet_name": ["RT", "One", "One", "One", "Two", "Two", "Two"],
                             "group": ["russian-state"] + ["western"] * 3 + ["ukrainian"] * 3})
    coverage = pd.DataFrame({"article_id": ids, "item": "x", "label": "X", "included": [1, 1, 0, 0, 1, 1, 1]})
    grid = plots.context_grid(coverage, articles, "a0", "group")
    ax = grid.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["seed: RT", "Two (3)", "One (3)"]  # seed, then by group
    assert ax.images[0].get_array().tolist() == [[1.0, 1.0, 1 / 3]]
    assert "7 articles are too many to show one by one" in ax.get_xlabel()
