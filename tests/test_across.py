"""Across languages (notebook 06) and languages that lack a seed, a second article or a second group."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest

from analysis.across import (concepts_by_article, context_by_article, load_across, outlet_editions,
                             outlet_profiles, profile_similarity, variant_shares)
from analysis.runner import run, run_many
from analysis.study import load_study

from .conftest import CORPUS


@pytest.fixture(scope="module")
def across(tmp_path_factory):
    return load_across(corpus_dir=str(CORPUS), output_dir=str(tmp_path_factory.mktemp("all")))


@pytest.fixture(scope="module")
def concepts(across):
    return concepts_by_article(across)


def test_concepts_by_article_cover_every_article_and_language(across, concepts):
    assert concepts["article_id"].nunique() == 67 and concepts["language"].nunique() == 12
    assert len(concepts) == 67 * 25  # every article x every variant, each language's lexicon on its own articles
    kiev = concepts[(concepts["concept"] == "capital") & (concepts["variant"] == "Kiev")].set_index("article_id")["count"]
    # RT's German edition writes "Kiew" twice, AzVision's German copy "Kiews" once: one concept whatever the language
    assert (kiev["rt-de-2022-08-08"], kiev["azvision-2022-08-08"], kiev["rt-2022-08-08"]) == (2, 1, 2)
    assert "seed length 'matched'" in across.describe()  # RT's full English text is cut like with like


def test_variant_shares_by_hand():
    concepts = pd.DataFrame({"article_id": ["a", "a", "b", "b", "c", "c"], "group": ["x", "x", "x", "x", "y", "y"],
                             "language": ["de", "de", "en", "en", "de", "de"], "concept": ["capital"] * 6,
                             "variant": ["Kyiv", "Kiev"] * 3, "count": [1, 3, 2, 0, 0, 0]})
    pooled = variant_shares(concepts, ["group"]).set_index(["group", "variant"])
    assert pooled.loc[("x", "Kiev"), ["count", "n_articles_using", "n_articles"]].tolist() == [3, 1, 2]
    assert pooled.loc[("x", "Kyiv"), "share"] == pytest.approx(3 / 6)
    assert pd.isna(pooled.loc[("y", "Kiev"), "share"])  # never mentioned: no share, not 0
    split = variant_shares(concepts, ["group", "language"]).set_index(["cell", "variant"])
    assert split.loc[("x · de", "Kiev"), "share"] == pytest.approx(0.75)


def test_the_seed_outlet_across_its_languages(across, concepts):
    coverage = context_by_article(across)
    assert coverage["article_id"].nunique() == 67 and len(coverage) == 67 * 15
    editions = outlet_editions(concepts, coverage, "rt")
    assert sorted(editions["language"].unique()) == ["de", "en", "es", "fr", "ru"]
    assert editions.loc[editions["language"] == "es", "edition"].iloc[0] == "es (transl.)"
    forum = editions[(editions["concept"] == "context") & (editions["variant"] == "the 700 delegates of the forum")]
    assert forum.set_index("language")["count"].gt(0).to_dict() == {"de": True, "en": True, "es": True, "fr": True,
                                                                    "ru": False}


def test_outlet_profiles_and_their_similarity(across, concepts):
    profiles = outlet_profiles(concepts, context_by_article(across))
    rt_de = profiles.set_index("unit").loc["RT (de)"]
    # capital: "Kiew" 3 of 3 mentions; context: the forum item in its one article
    assert rt_de["capital: Kiev"] == 1.0 and rt_de["capital: Kyiv"] == 0.0
    assert rt_de["context: delegates-700"] == 1.0 and rt_de["n_articles"] == 1
    similarity = profile_similarity(profiles)
    assert len(similarity) == len(profiles) * (len(profiles) - 1) // 2
    assert similarity["similarity"].between(0, 1 + 1e-12).all()
    assert similarity["similarity"].is_monotonic_decreasing


def test_originals_only_leaves_out_copies_and_translations(tmp_path):
    only = load_across(corpus_dir=str(CORPUS), originals_only=True, output_dir=str(tmp_path))
    assert set(only.corpus.articles["relation"]) == {"original"}
    assert "originals only: 67 articles ->" in only.describe()


def test_missing_resources_seed_articles_and_groups_are_said_not_raised(tmp_path):
    pl = load_study(language="pl", output_dir=str(tmp_path / "pl"))
    assert pl.seed_id is None and "rp-pl-2022-08-08" in pl.missing("seed")
    assert pl.missing("pairs") == "1 article(s) in 'pl' after dedupe: comparing articles needs 2"
    assert pl.missing("groups").startswith("one value of 'group' in 'pl' (western; 1 article(s))")
    assert pl.has("lexicon", "context") and not pl.has("seed")
    es = load_study(language="es", output_dir=str(tmp_path / "es"))
    assert es.has("pairs") and es.missing("map") == "2 article(s) in 'es' after dedupe: a 2-D map needs 3"
    de = load_study(language="de", seed_id="rt-2022-08-08", output_dir=str(tmp_path / "de"))
    assert de.seed_id == "rt-de-2022-08-08" and de.has("seed", "pairs", "groups", "map")


def test_a_language_without_lexicon_runs_what_it_can(corpus_copy, tmp_path):
    import shutil

    for kind in ("lexicons", "context"):
        (corpus_copy / kind).mkdir(exist_ok=True)
    study = load_study(corpus_dir=str(corpus_copy), language="pl", output_dir=str(tmp_path))
    assert study.has("lexicon")  # the embedded lexicon is used where the corpus has none
    shutil.copytree(corpus_copy, tmp_path / "own")
    (tmp_path / "own" / "lexicons" / "pl.yaml").write_text("concepts: nope\n", encoding="utf-8")
    broken = load_study(corpus_dir=str(tmp_path / "own"), language="pl", output_dir=str(tmp_path / "x"))
    assert broken.missing("lexicon").startswith("the lexicon file for 'pl' cannot be read:")


@pytest.mark.slow
def test_every_language_runs_and_the_cross_language_report(tmp_path):
    written = run_many(["pl", "uk", "all"], {"n_resamples": 5}, reports=tmp_path, progress=False)
    assert [p.name for p in written] == ["pl", "uk", "all"]
    pl = tmp_path / "pl"
    assert pd.read_csv(pl / "tables" / "naming.csv")["count"].sum() > 0
    assert not (pl / "tables" / "seed_vs_rest.csv").exists() and not (pl / "tables" / "log_odds.csv").exists()
    skipped = [o["metadata"]["framediff"]["skipped"] for p in sorted(pl.glob("*.ipynb"))
               for c in nbformat.read(p, as_version=4).cells for o in c.get("outputs", [])
               if "skipped" in o.get("metadata", {}).get("framediff", {})]
    assert any("set seed_id to one of: rp-pl-2022-08-08" in s for s in skipped)
    assert any("comparing articles needs 2" in s for s in skipped)
    uk = tmp_path / "uk"
    assert (uk / "tables" / "log_odds.csv").is_file() and not (uk / "tables" / "seed_vs_rest.csv").exists()
    everything = tmp_path / "all"
    concepts = pd.read_csv(everything / "tables" / "concepts_by_article.csv")
    assert concepts["article_id"].nunique() >= 60 and concepts["language"].nunique() >= 10
    rt = pd.read_csv(everything / "tables" / "rt_across_languages.csv")
    assert rt["language"].nunique() >= 3
    for name in ("variants_by_group", "variants_by_group_language", "rt_across_languages",
                 "context_across_languages", "outlet_similarity"):
        assert (everything / "figures" / f"{name}.png").stat().st_size > 10_000, name
    assert "Findings" in (everything / "index.html").read_text(encoding="utf-8")
    from analysis.report import write_overview

    write_overview(tmp_path)
    overview = (tmp_path / "index.md").read_text(encoding="utf-8").splitlines()
    assert overview[4:] == ["| [pl](pl/index.md) | notebooks 1–5 · 1 article compared (after dedupe) | 4 | 12 |",
                            "| [uk](uk/index.md) | notebooks 1–5 · 7 articles compared (after dedupe) | 10 | 19 |",
                            "| [all](all/index.md) | every language: naming, context and outlets across languages | 5 | 8 |"]
    one = run("all", {"originals_only": True}, reports=tmp_path / "originals", progress=False)
    assert set(pd.read_csv(one / "tables" / "concepts_by_article.csv")["relation"]) == {"original"}
