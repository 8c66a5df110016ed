"""What the notebooks share: one ``load_study`` call that checks the parameters and loads everything.

A notebook's setup is ``study = load_study(globals())``: it reads the parameters the
``parameters`` cell (and papermill's injected cell) defined, checks them against
:class:`~analysis.params.StudyParams` and the corpus, and returns the corpus, the seed, the
lexicon and context items, the protected terms and where outputs go.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
import pandas as pd
from IPython.display import Markdown

from .corpus import Corpus, load_corpus
from .errors import ParameterError
from .files import atomic_path, slug, spreadsheet_safe, write_atomic
from .lexicon import (ContextItem, LexiconError, Variant, added_stop_words, load_context, load_lexicon,
                      protected_patterns)
from .params import StudyParams
from .paths import report_dir, resolve, resource
from .seed import SeedLength, seed_lead
from .similarity import CopyDetector
from .terms import FramingVectorizer


def _show(obj, metadata: dict | None = None) -> None:
    """Display ``obj`` in a running IPython kernel (JupyterLab or papermill); do nothing elsewhere."""
    from IPython import get_ipython
    from IPython.display import display

    if get_ipython() is not None:
        display(obj, metadata=metadata)


def readable(frame: pd.DataFrame, columns: list[str] | None = None, rows: int = 10) -> pd.DataFrame:
    """Return the head of a table for reading: the chosen columns, ``rows`` rows, numbers to 3 decimals."""
    head = frame[columns] if columns else frame
    return head.head(rows).round(3)


class Outputs:
    """Save a notebook's figures and tables under ``<root>/figures`` and ``<root>/tables`` and show them.

    In a kernel each saved figure is displayed inline (the PNG just written) and each table as a
    readable head, so the executed notebook, JupyterLab and the HTML report show what was saved.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        (self.root / "figures").mkdir(parents=True, exist_ok=True)
        (self.root / "tables").mkdir(parents=True, exist_ok=True)

    def figure(self, fig: Figure, name: str) -> None:
        """Save a figure as PNG (150 dpi) and SVG, and display the PNG."""
        from IPython.display import Image

        png = self.root / "figures" / f"{slug(name, keep='_.')}.png"
        for suffix, kwargs in ((".png", {"dpi": 150}), (".svg", {"metadata": {"Date": None}})):
            with atomic_path(png.with_suffix(suffix)) as tmp, matplotlib.rc_context({"svg.hashsalt": "framediff"}):
                fig.savefig(tmp, bbox_inches="tight", format=suffix[1:], **kwargs)  # stable SVG ids
        _show(Image(data=png.read_bytes(), format="png"), {"framediff": {"figure": png.name}})

    def table(self, frame: pd.DataFrame, name: str, show: list[str] | None = None, rows: int = 10) -> None:
        """Save a table as CSV (no index, deterministic float format) and display its readable head.

        Args:
            show: the columns to display (all if None); the CSV always has every column.
            rows: rows to display (0: none).
        """
        path = self.root / "tables" / f"{slug(name, keep='_.')}.csv"
        write_atomic(path, spreadsheet_safe(frame).to_csv(index=False, float_format="%.6g", lineterminator="\n"))
        if rows:
            _show(readable(frame, show, rows))
            _show(Markdown(f"*{len(frame):,} rows in `tables/{path.name}`*"))

    def finding(self, text: str) -> None:
        """Display a findings text (Markdown) generated from this section's tables."""
        _show(Markdown(text), {"framediff": {"finding": True}})


@dataclass
class Study:
    """The checked parameters and everything a notebook analyses.

    ``corpus`` is the selected language after dedupe; ``full`` the whole corpus. ``articles``
    are ``corpus.articles`` with a plot ``label``. ``protect`` are the patterns stop-word
    filtering keeps (lexicon, context and keep.yaml terms); ``extra_stop_words`` the words
    ``stopwords/add.yaml`` adds to the language's list.
    """

    params: StudyParams
    full: Corpus
    corpus: Corpus
    seed_id: str | None
    copies: CopyDetector
    out: Outputs
    protect: list[re.Pattern]
    notes: list[str]
    lexicon_: list[Variant] | LexiconError = field(repr=False)
    context_: list[ContextItem] | LexiconError = field(repr=False)
    selected: Corpus = field(repr=False)
    length: SeedLength | None = field(repr=False)
    seed_note: str = field(default="", repr=False)
    extra_stop_words: frozenset[str] = field(default=frozenset(), repr=False)

    def variant(self, dedupe: bool | None = None, seed_length: str | int | None = None) -> Corpus:
        """Return the study corpus under another choice of dedupe or seed length (others as the study's)."""
        dedupe = self.params.dedupe if dedupe is None else dedupe
        corpus = _deduped(self.selected, self.copies, self.seed_id) if dedupe else self.selected
        if self.seed_id is None:
            return corpus
        return seed_lead(corpus, self.seed_id, self.params.seed_length if seed_length is None else seed_length)[0]

    def missing(self, need: str) -> str:
        """Return why this study cannot do what ``need`` names, and how to make it possible ("" if it can).

        Needs: "seed" (a seed article in this language), "pairs" (at least two articles), "map"
        (three, for a 2-D map), "groups" (at least two values of ``group_by``), "lexicon" and
        "context" (the language's files).
        """
        p, n = self.params, len(self.corpus)
        groups = sorted(set(self.corpus.articles[p.group_by].astype(str)))
        if need == "seed":
            return self.seed_note if self.seed_id is None else ""
        if need in ("pairs", "map"):
            least = 2 if need == "pairs" else 3
            what = "comparing articles" if need == "pairs" else "a 2-D map"
            return "" if n >= least else f"{n} article(s) in {p.language!r} after dedupe: {what} needs {least}"
        if need == "groups":
            return "" if len(groups) >= 2 else (
                f"one value of {p.group_by!r} in {p.language!r} ({', '.join(groups) or 'none'}; {n} article(s)): "
                f"group comparisons need two; try another group_by (e.g. outlet_id)")
        if need in ("lexicon", "context"):
            error = self.lexicon_ if need == "lexicon" else self.context_
            if not isinstance(error, LexiconError):
                return ""
            folder = "lexicons" if need == "lexicon" else "context"
            if "file: missing" not in str(error):
                return f"the {need} file for {p.language!r} cannot be read: {error}"
            return f"no {need} file for {p.language!r}: add {p.corpus_dir}/{folder}/{p.language}.yaml (start from framediff's corpus/{folder}/en.yaml)"
        raise ParameterError(f"unknown need {need!r}; choose from: seed, pairs, map, groups, lexicon, context")

    def has(self, *needs: str) -> bool:
        """Return True if the study can do everything ``needs`` names (see :meth:`missing`)."""
        return not any(self.missing(need) for need in needs)

    def needs(self, *needs: str) -> bool:
        """Return :meth:`has`; where it cannot, display one line per missing need saying what is skipped and why."""
        reasons = [self.missing(need) for need in needs]
        for reason in filter(None, reasons):
            _show(Markdown(f"> **Section skipped**: {reason}"), {"framediff": {"skipped": reason}})
        return not any(reasons)

    def stamp(self, table: pd.DataFrame) -> pd.DataFrame:
        """Return a seed table with ``seed_chars`` (the seed's characters compared) and ``others_median_chars``."""
        return table.assign(seed_chars=self.length.seed_chars, others_median_chars=self.length.others_median_chars)

    @property
    def articles(self) -> pd.DataFrame:
        """Return the study's articles with a plot label."""
        return with_labels(self.corpus.articles)

    @property
    def seed_label(self) -> str | None:
        """Return the seed's plot label (None without a seed)."""
        if self.seed_id is None:
            return None
        return self.articles.set_index("article_id").loc[self.seed_id, "label"]

    @property
    def lexicon(self) -> list[Variant]:
        """Return the naming lexicon's variants; raise LexiconError if the language has none."""
        if isinstance(self.lexicon_, LexiconError):
            raise self.lexicon_
        return self.lexicon_

    @property
    def context(self) -> list[ContextItem]:
        """Return the context items; raise LexiconError if the language has none."""
        if isinstance(self.context_, LexiconError):
            raise self.context_
        return self.context_

    def vectorizer(self, corpus: Corpus | None = None, **changes) -> FramingVectorizer:
        """Return a FramingVectorizer fitted on the study corpus (or ``corpus``) with the study's settings.

        The settings are its min_df, lemmas and protected terms; ``changes`` overrides any
        FramingVectorizer setting (e.g. ``stop_words=None`` for a robustness variant).
        """
        settings = {"min_df": self.params.min_df, "protect": self.protect, "lemmas": self.params.lemmas,
                    "extra_stop_words": self.extra_stop_words, **changes}
        return FramingVectorizer(**settings).fit(self.corpus if corpus is None else corpus)

    def describe(self) -> str:
        """Return the notes and a one-line description of what is compared."""
        p = self.params
        seed = f"{self.seed_id} ({self.seed_label})" if self.seed_id else "none"
        line = f"{len(self.corpus)} articles in {p.language!r}, compared by {p.group_by!r}; seed: {seed}"
        return "\n".join([*self.notes, line])


def injected_names(namespace: dict) -> set[str]:
    """Return the names papermill injected into a kernel (its "# Parameters" cell), from IPython's history."""
    names = set()
    for source in namespace.get("In", ()) or ():
        if isinstance(source, str) and source.startswith("# Parameters\n"):
            tree = ast.parse(source)
            names |= {t.id for node in tree.body if isinstance(node, ast.Assign)
                      for t in node.targets if isinstance(t, ast.Name)}
    return names


def study_params(namespace: dict) -> StudyParams:
    """Return the checked parameters found in a notebook's namespace; refuse unknown injected ones."""
    unknown = sorted(injected_names(namespace) - set(StudyParams.names()))
    if unknown:
        raise ParameterError(f"unknown parameter(s) {', '.join(unknown)}; valid: {', '.join(StudyParams.names())}")
    return StudyParams(**{k: namespace[k] for k in StudyParams.names() if k in namespace})


def resolve_seed(full: Corpus, seed_id: str, language: str) -> tuple[str | None, list[str]]:
    """Return the seed to use in ``language`` (the given one, or its origin's article in that language) and notes.

    The seed is None, with a note naming the articles that could be chosen, when its outlet has
    no article in ``language``: the seed's sections are then skipped.
    """
    ids = set(full.articles["article_id"])
    if seed_id not in ids:
        raise ParameterError(f"unknown seed_id {seed_id!r}; choose one of: {', '.join(sorted(ids))}")
    rows = full.articles.set_index("article_id")
    if rows.loc[seed_id, "language"] == language:
        return seed_id, []
    origin = rows.loc[seed_id, "origin_id"]
    same = full.articles[(full.articles["origin_id"] == origin) & (full.articles["language"] == language)]
    same = same.assign(copy=same["relation"].ne("original")).sort_values(["copy", "article_id"])  # originals first
    if same.empty:
        choices = sorted(full.articles.loc[full.articles["language"] == language, "article_id"])
        return None, [f"seed {seed_id!r} is in {rows.loc[seed_id, 'language']!r} and its outlet has no "
                      f"{language!r} article, so the seed's sections are skipped; to compare one, set seed_id "
                      f"to one of: {', '.join(choices)}"]
    chosen = same["article_id"].iloc[0]
    return chosen, [f"seed {seed_id!r} is not in {language!r}; using {chosen!r}, the same outlet's {language!r} article"]


def _resources(root: Path, language: str, notes: list[str]) -> tuple:
    """Return (lexicon or its error, context or its error, protected patterns), noting embedded files used."""
    loaded = []
    for kind, loader in (("lexicons", load_lexicon), ("context", load_context)):
        try:
            loaded.append(loader(root, language))
        except LexiconError as exc:
            loaded.append(exc)
        path, embedded = resource(root, kind, f"{language}.yaml")
        if embedded:
            notes.append(f"{kind}: the corpus has none for {language!r}; using the embedded {kind}/{language}.yaml")
    return loaded[0], loaded[1], protected_patterns(root, [language], strict=False)


def load_study(namespace: dict | None = None, **values) -> Study:
    """Return the study a notebook analyses; raise ParameterError (one line, listing choices) on a bad parameter.

    Args:
        namespace: a notebook's ``globals()``: the parameters are read from it, and names
            papermill injected that are not study parameters are refused.
        values: parameters given directly (they override the namespace).
    """
    params = study_params({**(namespace or {}), **values})
    root = resolve(params.corpus_dir)
    full = load_corpus(root)
    languages = sorted(set(full.articles["language"]))
    if params.language not in languages:
        raise ParameterError(f"unknown language {params.language!r}; choose one of: {', '.join(languages)}")
    if params.group_by not in full.articles.columns:
        raise ParameterError(f"unknown group_by {params.group_by!r}; choose one of: {', '.join(full.articles.columns)}")
    seed, notes = resolve_seed(full, params.seed_id, params.language)
    seed_note, length = ("".join(notes) if seed is None else ""), None
    selected = full.select(language=params.language)
    copies = CopyDetector(params.copy_threshold, memory=root / "cache" / "copies").fit(selected)
    corpus = selected
    if params.dedupe:
        corpus = _deduped(selected, copies, seed)
        notes.append(f"dedupe: {len(selected)} {params.language!r} articles -> {len(corpus)} after removing copies")
    if seed is not None:
        corpus, length = seed_lead(corpus, seed, params.seed_length)
        notes.append(length.describe())
    lexicon, context, protect = _resources(root, params.language, notes)
    out = Outputs(report_dir(params.language, params.output_dir))
    return Study(params, full, corpus, seed, copies, out, protect, notes, lexicon, context, selected, length, seed_note,
                 added_stop_words(root, [params.language]))


def _deduped(corpus: Corpus, copies: CopyDetector, seed: str | None) -> Corpus:
    """Return one article per copy cluster; the seed represents its own cluster (its copies are not compared with it)."""
    deduped = copies.dedupe(corpus)
    kept = set(deduped.articles["article_id"])
    if seed is not None and seed not in kept:
        clusters = copies.clusters_.set_index("article_id")
        kept = (kept - {clusters.at[seed, "representative"]}) | {seed}
        deduped = corpus.select(article_ids=sorted(kept))
    return deduped


def with_labels(articles: pd.DataFrame) -> pd.DataFrame:
    """Return articles with a ``label`` column for plots: the site's name, its origin if a copy, unique."""
    site, origin = articles["outlet_name"], articles["origin_name"]
    label = site.where(site == origin, site + " (" + origin + ")")
    repeat = label.groupby(label).cumcount()
    label = label.where(repeat == 0, label + " #" + (repeat + 1).astype(str))
    return articles.assign(label=label)
