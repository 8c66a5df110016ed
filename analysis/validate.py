"""Check a corpus directory and report every problem as ``file:row: field: what is wrong``.

Row numbers are line numbers in the CSV file (the header is line 1). Checks never stop at
the first problem: :func:`check_corpus` collects them all, and :func:`analysis.corpus.load_corpus`
raises one :class:`CorpusError` carrying the same list, so a corpus with problems is never
partly loaded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .errors import Problem, ProblemsError
from .features import KINDS, TOKENIZER, cache_path, cached_features

__all__ = ["CheckedCorpus", "CorpusError", "Problem", "check_corpus"]


class CorpusError(ProblemsError, ValueError):
    """A corpus directory failed validation; ``problems`` lists every problem found."""

    what = "problem(s) in the corpus"


MAX_COUNT = 2**31 - 1  # counts are stored as int32 (one article's count of one term)


@dataclass
class CheckedCorpus:
    """The parsed contents of a corpus directory, with the problems found while parsing."""

    root: Path
    outlets: list[tuple[int, dict]] = field(default_factory=list)
    articles: list[tuple[int, dict]] = field(default_factory=list)
    features: dict[str, dict] = field(default_factory=dict)
    raw_features: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    fetched: dict[str, str] = field(default_factory=dict)
    documents: dict[str, dict] = field(default_factory=dict)
    counts_from: dict[str, str] = field(default_factory=dict)
    tokenised: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    counts_key: str = ""  # digest of every input the counts depend on ("" without a cache)
    cached_counts: Path | None = None  # the counts of these exact bytes, validated and counted before
    counted: tuple | None = None  # (article ids, n_tokens, {kind: TermCounts}) of texts counted together

    def add(self, file: str, row: int | None, fld: str, message: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(file, row, fld, message))

    def warn(self, file: str, row: int | None, fld: str, message: str) -> None:
        """Record a likely mistake that does not make the corpus invalid (e.g. a one-letter typo in a code)."""
        self.warnings.append(Problem(file, row, fld, message))


def read_utf8(path: Path, name: str, checked: CheckedCorpus) -> str | None:
    """Return a file's text, or None after recording why it cannot be read as UTF-8."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        checked.add(name, None, "encoding", f"not UTF-8 (byte {exc.start}: {exc.reason})")
    except OSError as exc:
        checked.add(name, None, "file", f"cannot be read ({exc.strerror})")
    return None


def read_csv_table(root: Path, name: str, columns: tuple[str, ...], checked: CheckedCorpus) -> list:
    """Return ``(line, row)`` pairs of a CSV file whose header must equal ``columns``."""
    path = root / name
    if not path.is_file():
        checked.add(name, None, "file", "missing")
        return []
    text = read_utf8(path, name, checked)
    if text is None:
        return []
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = reader.fieldnames or []
    for column in columns:
        if column not in header:
            checked.add(name, 1, column, "missing column")
    for column in header:
        if column not in columns:
            checked.add(name, 1, column, f"unexpected column (expected: {', '.join(columns)})")
    if any(c not in header for c in columns):
        return []
    rows = []
    line = reader.line_num
    for row in reader:
        line += 1  # the line the row starts on
        if None in row or any(v is None for v in row.values()):
            checked.add(name, line, "row", f"has {len(header)} columns in the header but not here")
        else:
            rows.append((line, row))
        line = reader.line_num
    return rows


def check_ids(rows: list, name: str, key: str, checked: CheckedCorpus) -> None:
    """Record unsafe and duplicate ids in column ``key``."""
    seen: dict[str, int] = {}
    for line, row in rows:
        value = row[key]
        if not schema.SAFE_ID.match(value):
            checked.add(name, line, key, f"{value!r} is not a safe id (lower-case a-z, 0-9, . _ -)")
        if value in seen:
            checked.add(name, line, key, f"duplicate id {value!r} (first on line {seen[value]})")
        else:
            seen[value] = line


def check_choice(value: str, allowed, name: str, line: int, fld: str, checked) -> None:
    """Record a value that is not one of ``allowed``."""
    if value not in allowed:
        choices = ", ".join(sorted(allowed)) if len(allowed) < 12 else "an ISO 639-1 code"
        checked.add(name, line, fld, f"{value!r} is not one of: {choices}")


def check_outlets(checked: CheckedCorpus) -> None:
    """Parse and check outlets.csv."""
    name = "outlets.csv"
    checked.outlets = read_csv_table(checked.root, name, schema.OUTLET_COLUMNS, checked)
    check_ids(checked.outlets, name, "outlet_id", checked)
    for line, row in checked.outlets:  # any coding scheme: group, country and ownership are free text
        for fld in ("name", "group", "country", "ownership"):
            if not row[fld].strip():
                checked.add(name, line, fld, "empty")
    for fld in ("group", "country", "ownership"):
        warn_typos(checked.outlets, name, fld, checked)


def _one_edit(a: str, b: str) -> bool:
    """Return True if ``a`` becomes ``b`` by one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    if len(a) == len(b) and a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1]:
        return True  # "westren" for "western"
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def warn_typos(rows: list[tuple[int, dict]], name: str, fld: str, checked: CheckedCorpus) -> None:
    """Warn where a code used once is one edit away from a code used more often ("westren" beside "western")."""
    uses: dict[str, list[int]] = {}
    for line, row in rows:
        uses.setdefault(row[fld], []).append(line)
    for value, lines in uses.items():
        if len(lines) == 1 and len(value) > 3:
            near = sorted(v for v, other in uses.items() if len(other) > 1 and _one_edit(value.lower(), v.lower()))
            if near:
                checked.warn(name, lines[0], fld, f"{value!r} is used once and is one letter from {near[0]!r}: a typo?")


def check_article_row(line: int, row: dict, outlets: dict, checked: CheckedCorpus) -> None:
    """Record the problems of one articles.csv row."""
    name = "articles.csv"
    for fld in ("outlet_id", "origin_id"):
        if row[fld] not in outlets:
            checked.add(name, line, fld, f"unknown outlet {row[fld]!r} (not in outlets.csv)")
    if outlets.get(row["origin_id"], {}).get("group") == "aggregator":
        checked.add(name, line, "origin_id", f"{row['origin_id']!r} is an aggregator, never an origin")
    published = row["published"]
    if published and not (schema.DATE.match(published) and _is_date(published)):
        checked.add(name, line, "published", f"{published!r} is not a date YYYY-MM-DD (or empty)")
    check_choice(row["relation"], schema.RELATIONS, name, line, "relation", checked)
    check_choice(row["language"], schema.ISO_639_1, name, line, "language", checked)
    check_choice(row["date_basis"], schema.DATE_BASES, name, line, "date_basis", checked)
    check_choice(row["text_form"], schema.TEXT_FORMS, name, line, "text_form", checked)
    check_choice(row["truncated"], schema.BOOLEANS, name, line, "truncated", checked)
    if not row["source_chars"].isdigit():
        checked.add(name, line, "source_chars", f"{row['source_chars']!r} is not a whole number")
    if not row["events"].strip():
        checked.add(name, line, "events", "empty (give at least one event tag)")


def _is_date(value: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def check_articles(checked: CheckedCorpus) -> None:
    """Parse and check articles.csv against outlets.csv."""
    name = "articles.csv"
    checked.articles = read_csv_table(checked.root, name, schema.ARTICLE_COLUMNS, checked)
    if not checked.articles and (checked.root / name).is_file() and not checked.problems:
        checked.add(name, 2, "row", "no articles (the file has only its header)")
    check_ids(checked.articles, name, "article_id", checked)
    outlets = {row["outlet_id"]: row for _, row in checked.outlets}
    for line, row in checked.articles:
        check_article_row(line, row, outlets, checked)


def check_features_doc(doc, article_id: str, name: str, checked: CheckedCorpus) -> bool:
    """Record what is wrong with one parsed features document; return True if it is usable."""
    if not isinstance(doc, dict):
        checked.add(name, None, "document", "not a JSON object")
        return False
    problems_before = len(checked.problems)
    if doc.get("tokenizer") != TOKENIZER:
        checked.add(name, None, "tokenizer", f"{doc.get('tokenizer')!r} is not {TOKENIZER!r}")
    if doc.get("article_id") != article_id:
        checked.add(name, None, "article_id",
                    f"{doc.get('article_id')!r} differs from the file name {article_id!r}")
    n_tokens = doc.get("n_tokens")
    if not (isinstance(n_tokens, int) and not isinstance(n_tokens, bool) and n_tokens >= 0):
        checked.add(name, None, "n_tokens", f"{n_tokens!r} is not a non-negative integer")
    for key in KINDS:
        counts = doc.get(key)
        if not isinstance(counts, dict):
            checked.add(name, None, key, "missing or not an object of counts")
            continue
        bad = [t for t, c in counts.items()
               if not (isinstance(c, int) and not isinstance(c, bool) and 0 < c <= MAX_COUNT)]
        if bad:
            checked.add(name, None, key, f"counts must be integers from 1 to {MAX_COUNT:,}; {len(bad)} are not "
                        f"(first: {bad[0]!r}: {counts[bad[0]]!r})")
    if len(checked.problems) == problems_before and n_tokens != sum(doc["unigrams"].values()):
        checked.add(name, None, "n_tokens", f"{n_tokens} differs from the total of the unigram counts "
                    f"({sum(doc['unigrams'].values())}); ngrams-v1 counts every token once")
    return len(checked.problems) == problems_before


def check_files(checked: CheckedCorpus) -> None:
    """Parse texts/ and features/ and match them against the articles.csv rows."""
    rows = {row["article_id"]: (line, row) for line, row in checked.articles}
    on_disk = {"texts": {}, "features": {}}
    for sub, suffix in (("texts", ".txt"), ("features", ".json")):
        for path in sorted((checked.root / sub).glob(f"*{suffix}")):
            on_disk[sub][path.stem] = path
            if path.stem not in rows:
                checked.add(f"{sub}/{path.name}", None, "article_id",
                            f"no row for {path.stem!r} in articles.csv")
    for article_id, (line, row) in rows.items():
        text_path = on_disk["texts"].get(article_id)
        features_path = on_disk["features"].get(article_id)
        if text_path is None and features_path is None:
            checked.add("articles.csv", line, "article_id",
                        f"neither texts/{article_id}.txt nor features/{article_id}.json exists")
        elif row["text_form"] == "full" and text_path is None:
            checked.add("articles.csv", line, "text_form", f"'full' but texts/{article_id}.txt is missing")
        if text_path is not None:
            read_text(text_path, article_id, checked)
        if features_path is not None:
            read_features(features_path, article_id, checked)


def read_text(path: Path, article_id: str, checked: CheckedCorpus) -> None:
    """Read one text into ``checked.texts``, recording encoding problems and empty texts."""
    name = f"texts/{path.name}"
    text = read_utf8(path, name, checked)
    if text is None:
        return
    if not text.strip():
        checked.add(name, None, "text", "empty")
        return
    checked.texts[article_id] = text


def read_features(path: Path, article_id: str, checked: CheckedCorpus) -> None:
    """Read one features file's text into ``checked.raw_features`` (parsed by :func:`parse_features`)."""
    raw = read_utf8(path, f"features/{path.name}", checked)
    if raw is not None:
        checked.raw_features[article_id] = raw


def parse_features(checked: CheckedCorpus) -> None:
    """Parse every features file read into ``checked.features``, recording what is wrong with each."""
    for article_id, raw in checked.raw_features.items():
        parse_features_doc(raw, article_id, checked)


def parse_features_doc(raw: str, article_id: str, checked: CheckedCorpus) -> None:
    """Parse one features file's text into ``checked.features`` if it is valid."""
    name = f"features/{article_id}.json"
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        checked.add(name, exc.lineno, "json", f"not valid JSON ({exc.msg})")
        return
    except RecursionError:
        checked.add(name, None, "json", "nested too deeply to be a features file")
        return
    if check_features_doc(doc, article_id, name, checked):
        checked.features[article_id] = doc


def read_fetched(checked: CheckedCorpus) -> None:
    """Read the non-empty fetched texts ``cache/<article_id>.txt`` of known articles into ``checked.fetched``."""
    for _, row in checked.articles:
        path = checked.root / "cache" / f"{row['article_id']}.txt"
        if path.is_file():
            text = read_utf8(path, f"cache/{path.name}", checked)
            if text is not None and text.strip():
                checked.fetched[row["article_id"]] = text


COUNT_TOGETHER_FROM = 1_000  # texts never tokenised before; from this many, they are counted in parallel


def check_documents(checked: CheckedCorpus, cache_dir: Path | None) -> None:
    """Fill ``checked.documents``: each article's counts from its fetched text, text or features.

    A text and a features file of the same article must agree: the stored counts must equal the
    ngrams-v1 features of the text. When :data:`COUNT_TOGETHER_FROM` or more texts (without
    features beside them) were never tokenised, they are counted together on every core by
    :func:`analysis.counting.count_texts` (same counts, tested) into ``checked.counted``.
    """
    fresh = []
    for _, row in checked.articles:
        article_id = row["article_id"]
        text = checked.fetched.get(article_id, checked.texts.get(article_id))
        checked.counts_from[article_id] = source = _source(checked, article_id)
        if text is None:
            if article_id in checked.features:
                checked.documents[article_id] = checked.features[article_id]
            continue
        path = cache_path(text, cache_dir)
        if article_id not in checked.features and (path is None or not path.is_file()):
            fresh.append((article_id, text))
            continue
        doc, tokenised = cached_features(text, article_id, cache_dir)
        stored = checked.features.get(article_id)
        if source == "text" and stored is not None and any(stored[k] != doc[k] for k in ("n_tokens", *KINDS)):
            checked.add(f"features/{article_id}.json", None, "counts",
                        f"differ from the ngrams-v1 features of texts/{article_id}.txt")
        checked.documents[article_id] = doc
        if tokenised:
            checked.tokenised.append(article_id)
    if len(fresh) >= COUNT_TOGETHER_FROM:
        from .counting import count_texts

        ids = [a for a, _ in fresh]
        checked.counted = (ids, *count_texts([t for _, t in fresh], article_ids=ids, progress=True))
    else:
        for article_id, text in fresh:
            checked.documents[article_id] = cached_features(text, article_id, cache_dir)[0]
    tokenised = set(checked.tokenised) | {a for a, _ in fresh}
    checked.tokenised = [row["article_id"] for _, row in checked.articles if row["article_id"] in tokenised]


TEXT_SOURCES = ("features", "fetched")


def check_corpus(path: str | Path = "corpus", *, cache: bool = True, text_source: str = "features",
                 counts_cache: bool = True) -> CheckedCorpus:
    """Return the parsed corpus directory with every problem found in it.

    Args:
        cache: keep the features of texts in ``<path>/cache/features/`` (see
            :func:`analysis.features.cached_features`).
        text_source: "features", or "fetched" to count articles from texts fetched into
            ``<path>/cache/<article_id>.txt`` where there is one.
        counts_cache: with ``cache``, a corpus whose every byte equals one validated and counted
            before is not parsed again: ``cached_counts`` names its kept count matrices
            (``<path>/cache/counts/``, written by :func:`analysis.corpus.load_corpus`).
    """
    if text_source not in TEXT_SOURCES:
        from .errors import ParameterError

        raise ParameterError(f"text_source must be one of {', '.join(TEXT_SOURCES)}; got {text_source!r}")
    checked = CheckedCorpus(root=Path(path))
    if not checked.root.is_dir():
        checked.add("", None, "directory", f"{path} does not exist")
        return checked
    check_outlets(checked)
    check_articles(checked)
    check_files(checked)
    if text_source == "fetched":
        read_fetched(checked)
    if cache and not checked.problems:
        checked.counts_key = counts_key(checked, text_source)
        found = checked.root / "cache" / "counts" / f"{checked.counts_key}.npz"
        if counts_cache and found.is_file():  # these exact bytes were validated and counted before
            checked.cached_counts = found
            checked.counts_from = {row["article_id"]: _source(checked, row["article_id"]) for _, row in checked.articles}
            return checked
    parse_features(checked)
    if not checked.problems:
        check_documents(checked, checked.root / "cache" / "features" if cache else None)
    return checked


COUNTS_CACHE_VERSION = "1"


def _source(checked: CheckedCorpus, article_id: str) -> str:
    """Return what an article is counted from: its fetched text, its text, or its features."""
    return "fetched" if article_id in checked.fetched else ("text" if article_id in checked.texts else "features")


def counts_key(checked: CheckedCorpus, text_source: str) -> str:
    """Return a digest of everything an article's counts depend on: tokenizer, ids, the bytes of texts and features."""
    digest = hashlib.sha256(f"{COUNTS_CACHE_VERSION}\n{TOKENIZER}\n{text_source}\n".encode())
    for _, row in checked.articles:
        article_id = row["article_id"]
        digest.update(f"{article_id}\0{_source(checked, article_id)}\0".encode())
        for part in (checked.fetched.get(article_id), checked.texts.get(article_id), checked.raw_features.get(article_id)):
            digest.update(hashlib.sha256((part or "").encode()).digest())
    return digest.hexdigest()
