"""Across languages: every article of the corpus in one view, by the language-independent layer.

Words cannot be compared across languages, but the lexicons' concepts and variants and the
context items can: every language's file has the same concept ids, variant names and item ids
(``tests/test_lexicons.py``), so "the capital named Kiev" in a German, Polish or Russian article is
one row of :func:`concepts_by_article`. Notebook 06 builds on that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics.pairwise import cosine_similarity

from .corpus import Corpus, load_corpus
from .errors import ParameterError
from .lexicon import ContextItem, LexiconError, Variant, load_context, load_lexicon
from .naming import context_coverage, naming_counts, naming_shares
from .params import StudyParams
from .paths import report_dir, resolve
from .seed import seed_lead
from .study import Outputs, study_params, with_labels

META = ["article_id", "language", "group", "relation", "outlet_name", "origin_id", "origin_name"]
RELATION_MARKS = {"copy": " (copy)", "machine-translation": " (MT)", "translation": " (transl.)", "rewrite": " (rewrite)"}


@dataclass
class Across:
    """The corpus in every language, with each language's lexicon and context items.

    ``languages`` lists the languages that have both files; ``notes`` says what was left out.
    """

    params: StudyParams
    corpus: Corpus
    lexicons: dict[str, list[Variant]]
    contexts: dict[str, list[ContextItem]]
    out: Outputs
    notes: list[str]

    @property
    def languages(self) -> list[str]:
        """Return the languages whose articles are counted (those with a lexicon and a context file)."""
        return sorted(set(self.lexicons) & set(self.contexts))

    @property
    def articles(self) -> pd.DataFrame:
        """Return the counted articles with a plot ``label``: site, language, and its relation if not original."""
        articles = with_labels(self.corpus.articles)
        articles = articles[articles["language"].isin(self.languages)]
        mark = articles["relation"].map(RELATION_MARKS).fillna("")
        return articles.assign(label=articles["label"] + " · " + articles["language"] + mark)

    def describe(self) -> str:
        """Return the notes and one line saying what is compared."""
        n = self.corpus.articles["language"].isin(self.languages).sum()
        return "\n".join([*self.notes, f"{n} articles in {len(self.languages)} languages "
                                        f"({', '.join(self.languages)}), compared by {self.params.group_by!r}"])


def load_across(namespace: dict | None = None, **values) -> Across:
    """Return every language's articles with its lexicon and context items; note languages without them.

    Args:
        namespace: a notebook's ``globals()`` (its parameters), as :func:`analysis.study.load_study`.
        values: parameters given directly. ``originals_only`` keeps articles whose ``relation``
            is "original" (no copies, rewrites or translations).
    """
    params = study_params({**(namespace or {}), **values})
    root = resolve(params.corpus_dir)
    corpus = load_corpus(root)
    if params.group_by not in corpus.articles.columns:
        raise ParameterError(f"unknown group_by {params.group_by!r}; choose one of: {', '.join(corpus.articles.columns)}")
    notes = []
    if params.originals_only:
        kept = corpus.select(relation="original")
        notes.append(f"originals only: {len(corpus)} articles -> {len(kept)} (copies, rewrites and translations left out)")
        corpus = kept
    if params.seed_id in set(corpus.articles["article_id"]):  # like with like: the seed's lead, as the others'
        corpus, length = seed_lead(corpus, params.seed_id, params.seed_length)
        notes.append(length.describe())
    lexicons, contexts = {}, {}
    for language in sorted(set(corpus.articles["language"])):
        for kind, loader, into in (("lexicon", load_lexicon, lexicons), ("context", load_context, contexts)):
            try:
                into[language] = loader(root, language)
            except LexiconError as exc:
                notes.append(f"{language}: no usable {kind} file, its articles are left out ({exc})")
    out = Outputs(report_dir("all", params.output_dir))
    return Across(params, corpus, lexicons, contexts, out, notes)


def concepts_by_article(across: Across) -> pd.DataFrame:
    """Return one row per article x concept x variant, every language: article metadata, concept, variant, count.

    Columns: ``article_id, language, group, relation, outlet_name, origin_id, origin_name``
    (and ``group_by`` if another column), ``concept, variant, count``. Counts are each
    language's lexicon matched against its own articles (an unmarked variant net of the others).
    """
    frames = []
    for language in across.languages:
        part = across.corpus.select(language=language)
        frames.append(naming_counts(part, across.lexicons[language]))
    return _with_meta(pd.concat(frames, ignore_index=True), across)


def context_by_article(across: Across) -> pd.DataFrame:
    """Return one row per article x context item, every language: article metadata, item, label, count, included."""
    frames = [context_coverage(across.corpus.select(language=language), across.contexts[language])
              for language in across.languages]
    return _with_meta(pd.concat(frames, ignore_index=True), across)


def _with_meta(table: pd.DataFrame, across: Across) -> pd.DataFrame:
    """Return ``table`` with the article metadata columns first, sorted by language, article and table order."""
    columns = list(dict.fromkeys([*META, across.params.group_by]))
    meta = across.corpus.articles[columns]
    merged = meta.merge(table, on="article_id", validate="one_to_many")
    return merged.sort_values(["language", "article_id"], kind="stable", ignore_index=True)


def variant_shares(concepts: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Return per ``by`` x concept x variant: count, share of the concept's mentions, articles using it, n articles.

    ``share`` is NaN where the ``by`` cell never mentions the concept. With ``by`` of several
    columns a ``cell`` column joins them ("western · de") for plotting.
    """
    counts = concepts[["article_id", "concept", "variant", "count"]]
    table = naming_shares(counts, concepts.drop_duplicates("article_id"), by)
    return table.assign(cell=table[by].astype(str).agg(" · ".join, axis=1))


def outlet_editions(concepts: pd.DataFrame, coverage: pd.DataFrame, origin_id: str) -> pd.DataFrame:
    """Return what one outlet's articles in each language name and include: language, article, concept, variant, count.

    ``edition`` is the language, marked where the article is a copy or translation on another
    site ("es (transl.)"). Naming rows carry the lexicon's concept and variant; context rows have concept
    "context" and the item's label as variant, with count the indicator count (0: omitted).
    """
    names = concepts.loc[concepts["origin_id"] == origin_id,
                         ["language", "article_id", "relation", "concept", "variant", "count"]]
    names = names.assign(edition=names["language"] + names["relation"].map(RELATION_MARKS).fillna(""))
    context = coverage.loc[coverage["origin_id"] == origin_id, ["language", "article_id", "relation", "label", "count"]]
    context = context.rename(columns={"label": "variant"}).assign(
        concept="context", edition=context["language"] + context["relation"].map(RELATION_MARKS).fillna(""))
    table = pd.concat([names, context[names.columns]], ignore_index=True)
    if table.empty:
        raise ParameterError(f"no article of outlet {origin_id!r} in any language with a lexicon")
    return table.sort_values(["language", "article_id"], kind="stable", ignore_index=True)


def outlet_profiles(concepts: pd.DataFrame, coverage: pd.DataFrame, group_by: str = "group") -> pd.DataFrame:
    """Return one row per outlet-language (origin outlet x language): its naming shares and context coverage.

    A unit's profile is, per concept, the share of its mentions each variant takes (0 where the
    concept is never mentioned), and per context item the share of its articles that include
    it: vectors comparable across languages. Columns: ``unit, origin_name, language, group_by,
    n_articles, relations, n_mentions`` (of lexicon variants), ``label`` (the unit, with * where some of its articles are copies,
    rewrites or translations), then one column per ``concept: variant`` and per ``context: item``.
    """
    unit = concepts["origin_name"] + " (" + concepts["language"] + ")"
    named = concepts.assign(unit=unit).groupby(["unit", "concept", "variant"], sort=False)["count"].sum()
    totals = named.groupby(level=["unit", "concept"]).transform("sum")
    shares = (named / totals.where(totals > 0)).fillna(0.0).rename("value").reset_index()
    shares["feature"] = shares["concept"] + ": " + shares["variant"]
    cov = coverage.assign(unit=coverage["origin_name"] + " (" + coverage["language"] + ")")
    included = cov.groupby(["unit", "item"], sort=False)["included"].mean().rename("value").reset_index()
    included["feature"] = "context: " + included["item"]
    wide = pd.concat([shares[["unit", "feature", "value"]], included[["unit", "feature", "value"]]])
    wide = wide.pivot(index="unit", columns="feature", values="value")
    order = list(dict.fromkeys([*shares["feature"], *included["feature"]]))
    meta = concepts.assign(unit=unit).groupby("unit").agg(
        origin_name=("origin_name", "first"), language=("language", "first"),
        **{group_by: (group_by, "first")}, n_articles=("article_id", "nunique"),
        relations=("relation", lambda r: ";".join(sorted(set(r)))), n_mentions=("count", "sum"))
    meta["label"] = meta.index + np.where(meta["relations"] == "original", "", " *")
    return meta.join(wide[order]).reset_index().sort_values("unit", ignore_index=True)


def profile_features(profiles: pd.DataFrame) -> np.ndarray:
    """Return the profile vectors (the ``concept: variant`` and ``context: item`` columns) as a matrix."""
    return profiles[[c for c in profiles.columns if ": " in c]].to_numpy(dtype=float)


def profile_matrix(profiles: pd.DataFrame) -> pd.DataFrame:
    """Return the unit x unit cosine similarity of the profiles, labelled by unit."""
    matrix = cosine_similarity(profile_features(profiles))
    np.fill_diagonal(matrix, 1.0)
    return pd.DataFrame(matrix, index=profiles["unit"].tolist(), columns=profiles["unit"].tolist())


def profile_similarity(profiles: pd.DataFrame) -> pd.DataFrame:
    """Return the cosine similarity of every pair of outlet-language profiles: unit_a, unit_b, similarity."""
    matrix = profile_matrix(profiles).to_numpy()
    units = np.asarray(profiles["unit"].tolist(), dtype=object)
    a, b = np.triu_indices(len(units), k=1)
    table = pd.DataFrame({"unit_a": units[a], "unit_b": units[b], "similarity": matrix[a, b]})
    return table.sort_values(["similarity", "unit_a", "unit_b"], ascending=[False, True, True], ignore_index=True)
