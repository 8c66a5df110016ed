"""Bring your own corpus: import texts with metadata into a corpus directory.

Sources: a folder of ``.txt``/``.md`` files with YAML front matter, a CSV or JSONL file, or a
pandas DataFrame. Every source becomes a DataFrame of records and goes through
:func:`corpus_from_frame`, which checks every record, and imports all or nothing (unless
``skip_bad``, which imports the good records and writes the rejects with reasons to
``<into>/import-rejects.csv``). Ids are deterministic, so importing the same source twice adds
nothing the second time.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import yaml

from . import schema
from .errors import ParameterError, Problem, ProblemsError
from .files import csv_text, read_rows, slug, temp_dir, write_atomic
from .validate import check_corpus

FIELDS = ("text", "outlet", "url", "published", "title", "language", "events", "article_id")


class ImportProblems(ProblemsError, ValueError):
    """A source had bad records; nothing was imported. ``problems`` lists each as a :class:`Problem`."""

    what = "problem(s); nothing imported"


@dataclass
class ImportReport:
    """What an import did."""

    added: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    new_outlets: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def _date(value) -> str | None:
    """Return YYYY-MM-DD for a date-like value, '' for none, None if unreadable."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return ""
    if isinstance(value, (date, datetime)):
        return value.strftime("%Y-%m-%d")
    try:
        return datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")).strftime("%Y-%m-%d")
    except ValueError:
        return None


MAX_TEXT = 5_000_000  # characters
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _record(raw: dict, where: tuple[str, int | None], language: str | None,
            problems: list[Problem]) -> dict | None:
    """Return a checked, normalised record, or None after adding its problems."""
    def text_of(key):
        value = raw.get(key)
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()

    found = []

    def problem(fld: str, message: str) -> None:
        found.append(Problem(*where, fld, message))

    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        problem("text", "empty")
    elif len(text) > MAX_TEXT:
        problem("text", f"{len(text):,} characters; a news article has fewer than {MAX_TEXT:,} (is this a whole dump?)")
    for key in ("outlet", "title", "url", "published", "language", "events", "article_id"):
        if _CONTROL.search(text_of(key)):
            problem(key, "contains a control character (newline, NUL, …)")
    outlet = text_of("outlet")
    if not outlet:
        problem("outlet", "missing")
    url = text_of("url")
    if url and urlparse(url).scheme not in ("http", "https"):
        problem("url", f"{url!r} is not an http(s) URL")
    published = _date(raw.get("published"))
    if published is None:
        problem("published", f"{raw.get('published')!r} is not a date")
    lang = text_of("language") or language or ""
    if lang not in schema.ISO_639_1:
        problem("language", f"{lang!r} is not an ISO 639-1 code (give it, or --language)")
    article_id = text_of("article_id")
    if article_id and not schema.SAFE_ID.match(article_id):
        problem("article_id", f"{article_id!r} is not a safe id")
    problems += found
    if found:
        return None
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return {"where": where, "text": text, "outlet": outlet, "url": url, "published": published, "language": lang,
            "title": text_of("title"), "events": text_of("events") or "unspecified",
            "article_id": article_id or f"{slug(outlet)}-{published or 'undated'}-{digest}"}


def corpus_from_frame(frame: pd.DataFrame, into: str | Path, *, columns: dict | None = None,
                      language: str | None = None, skip_bad: bool = False, source: str = "frame",
                      read_problems: list[Problem] | None = None) -> ImportReport:
    """Import one article per row of ``frame`` into the corpus directory ``into``.

    Args:
        frame: rows with a text and metadata; ``columns`` maps our fields (text, outlet, url,
            published, title, language, events, article_id) to the frame's column names.
        language: the language of rows that do not give one.
        skip_bad: import the good rows and write the rejects to ``<into>/import-rejects.csv``.
        source: how messages name the source (file name).
        read_problems: problems found while reading the source (reported and rejected with the rest).
    """
    mapping = {f: (columns or {}).get(f, f) for f in FIELDS}
    for required in ("text", "outlet"):
        if mapping[required] not in frame.columns:
            raise ImportProblems([Problem(source, 1, mapping[required],
                                          f"missing column (columns: {', '.join(map(str, frame.columns))})")])
    into = Path(into)
    if into.exists() and not into.is_dir():
        raise ParameterError(f"{into}: exists and is not a folder; --into names a corpus folder (new or existing)")
    if into.exists() and (into / "articles.csv").is_file() and check_corpus(into).problems:
        raise ImportProblems([Problem(str(into), None, "corpus",
                                      f"the target corpus has problems; run python -m analysis validate {into}")])
    problems, records = list(read_problems or []), []
    rejected = list(problems)
    for i, raw in enumerate(frame.to_dict("records")):
        where = raw.pop("__where__", (source, i + 2))
        before = len(problems)
        record = _record({f: raw.get(c) for f, c in mapping.items()}, where, language, problems)
        if record is None:
            rejected += problems[before:]
        else:
            records.append(record)
    records = _without_duplicates(records, problems, rejected)
    if problems and not skip_bad:
        raise ImportProblems(problems)
    report = _staged_write(into, records)
    if rejected:
        lines = [{"where": p.file if p.row is None else f"{p.file}:{p.row}", "field": p.field, "problem": p.message}
                 for p in rejected]
        write_atomic(into / "import-rejects.csv", csv_text(lines, ("where", "field", "problem")))
        report.rejected = rejected
    return report


def _without_duplicates(records: list[dict], problems: list[Problem], rejected: list[Problem]) -> list[dict]:
    """Return the records, each id and URL once; a repeat with other text is a problem, an exact repeat is dropped."""
    kept, first = [], {}
    for record in records:
        keys = [("article_id", record["article_id"])] + ([("url", record["url"])] if record["url"] else [])
        seen = next((first[k] for k in keys if k in first), None)
        if seen is None:
            first.update({k: record for k in keys})
            kept.append(record)
        elif seen["text"] != record["text"]:
            key = next(k for k in keys if k in first)
            found = Problem(*record["where"], key[0], f"{key[1]!r} appears twice with different text "
                            f"(first at {seen['where'][0]}:{seen['where'][1]}); keep one")
            problems.append(found)
            rejected.append(found)
    return kept


def _staged_write(into: Path, records: list[dict]) -> ImportReport:
    """Write the import into a copy of ``into`` (hard links: no data copied) and swap it in when complete.

    An interrupted import (Ctrl-C, kill -9) leaves the corpus as it was and at worst a hidden
    ``.<name>-import-*`` folder beside it; texts never outlive their rows.
    """
    into.parent.mkdir(parents=True, exist_ok=True)
    stage = temp_dir(into.parent, f".{into.name}-import-")
    old = None
    try:
        if into.is_dir():
            shutil.copytree(into, stage, dirs_exist_ok=True, copy_function=_link_or_copy,
                            ignore=shutil.ignore_patterns("cache"))
        report = _write(stage, records)
        if into.is_dir():
            if (into / "cache").is_dir():  # regenerable; moved, not linked file by file
                (into / "cache").rename(stage / "cache")
            old = temp_dir(into.parent, f".{into.name}-old-")
            into.rename(old / "corpus")
        stage.rename(into)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return report


def _link_or_copy(src: str, dst: str) -> None:
    """Hard-link ``src`` to ``dst`` (same file system: instant, no space), else copy it."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _write(into: Path, records: list[dict]) -> ImportReport:
    """Add the records' texts and rows to ``into``; return what was added."""
    report = ImportReport()
    outlets = read_rows(into / "outlets.csv")
    articles = read_rows(into / "articles.csv")
    (into / "features").mkdir(parents=True, exist_ok=True)
    known_ids = {r["article_id"] for r in articles}
    known_urls = {r["url"] for r in articles if r["url"]}
    outlet_ids = {r["outlet_id"] for r in outlets}
    for record in records:
        if record["article_id"] in known_ids or (record["url"] and record["url"] in known_urls):
            report.already_present.append(record["article_id"])
            continue
        outlet_id = _outlet_id(record["outlet"], outlets)
        if outlet_id not in outlet_ids:
            outlets.append({"outlet_id": outlet_id, "name": record["outlet"], "domain": urlparse(record["url"]).netloc,
                            "country": "unknown", "ownership": "unknown", "group": "unknown"})
            outlet_ids.add(outlet_id)
            report.new_outlets.append(outlet_id)
        articles.append({"article_id": record["article_id"], "outlet_id": outlet_id, "origin_id": outlet_id,
                         "relation": "original", "url": record["url"], "published": record["published"],
                         "date_basis": "shown" if record["published"] else "unknown", "title": record["title"],
                         "language": record["language"], "events": record["events"], "text_form": "full",
                         "source_chars": str(len(record["text"])), "truncated": "false"})
        known_ids.add(record["article_id"])
        known_urls.add(record["url"])
        write_atomic(into / "texts" / f"{record['article_id']}.txt", record["text"])
        report.added.append(record["article_id"])
    write_atomic(into / "outlets.csv", csv_text(outlets, schema.OUTLET_COLUMNS))
    write_atomic(into / "articles.csv", csv_text(articles, schema.ARTICLE_COLUMNS))
    return report


def _outlet_id(name: str, outlets: list[dict]) -> str:
    """Return the id of the outlet called ``name``: its slug, or the slug and a hash when another outlet has that slug.

    "RT на русском" and "RT" both slug to "rt"; the second outlet gets "rt-<hash>" instead of
    silently merging into the first.
    """
    same_name = next((o["outlet_id"] for o in outlets if o["name"] == name), None)
    if same_name:
        return same_name
    base = slug(name)
    taken = {o["outlet_id"] for o in outlets}
    return base if base not in taken else f"{base}-{hashlib.sha1(name.encode()).hexdigest()[:6]}"


def _split_front_matter(raw: str, where: str, problems: list[Problem]) -> tuple[dict, str] | None:
    """Return (metadata, body) of a file with YAML front matter between '---' lines."""
    if not raw.startswith("---"):
        problems.append(Problem(where, None, "front matter", "missing (start the file with a --- line)"))
        return None
    parts = re.split(r"^---\s*$", raw, maxsplit=2, flags=re.M)
    if len(parts) < 3:
        problems.append(Problem(where, None, "front matter", "no closing --- line"))
        return None
    meta = _front_matter(parts[1], where, problems)
    if meta is None:
        return None
    return meta, parts[2].lstrip("\n")


MAX_FRONT_MATTER = 64_000  # characters; a page of metadata, not a payload


def _front_matter(text: str, where: str, problems: list[Problem]) -> dict | None:
    """Return front matter as a mapping of field -> text; None after recording why it is refused.

    Read with YAML's base loader: every value stays the text written ("no" is Norwegian, not
    false; "2022-02-30" is checked as a date later, not parsed by YAML). Aliases (``*a``, the
    "billion laughs" expansion) and tags are refused, and every value must be a single value,
    not a list or mapping.
    """
    def refuse(message: str) -> None:
        problems.append(Problem(where, None, "front matter", message))

    if len(text) > MAX_FRONT_MATTER:
        return refuse(f"longer than {MAX_FRONT_MATTER:,} characters")
    try:
        for event in yaml.parse(text, Loader=yaml.BaseLoader):
            if isinstance(event, yaml.AliasEvent):
                return refuse("YAML aliases (*name) are not allowed")
            if getattr(event, "tag", None) is not None:
                return refuse(f"YAML tags ({event.tag}) are not allowed")
        meta = yaml.load(text, Loader=yaml.BaseLoader) or {}
    except yaml.YAMLError as exc:
        return refuse(f"not valid YAML ({str(exc).splitlines()[0]})")
    if not isinstance(meta, dict):
        return refuse("must be a mapping of fields")
    for key, value in meta.items():
        if not isinstance(value, str):
            problems.append(Problem(where, None, str(key), f"must be a single value, not a {type(value).__name__}"))
            return None
    return meta


def read_folder(folder: str | Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Return one record per ``.txt``/``.md`` file of ``folder`` and the problems of unreadable files."""
    records, problems = [], []
    for path in sorted(p for p in Path(folder).iterdir() if p.suffix in (".txt", ".md")):
        try:
            raw = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            problems.append(Problem(path.name, None, "encoding", f"not UTF-8 (byte {exc.start})"))
            continue
        parsed = _split_front_matter(raw, path.name, problems)
        if parsed is not None:
            meta, body = parsed
            records.append({**meta, "text": body, "__where__": (path.name, None)})
    return pd.DataFrame(records), problems


def read_source_table(path: str | Path, fmt: str) -> pd.DataFrame:
    """Return the records of a CSV or JSONL file; raise ImportProblems if it cannot be read."""
    path = Path(path)
    try:
        path.read_bytes().decode("utf-8")
        if fmt == "csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        return pd.read_json(path, lines=True, dtype=False)
    except UnicodeDecodeError as exc:
        raise ImportProblems([Problem(path.name, None, "encoding", f"not UTF-8 (byte {exc.start})")]) from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise ImportProblems([Problem(path.name, None, "file", f"cannot be read as {fmt.upper()} ({exc})")]) from None


def read_jsonl(path: str | Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Return one record per JSON object line of ``path``, and a problem for each line that is not one."""
    import json

    path = Path(path)
    try:
        lines = path.read_bytes().decode("utf-8").removeprefix("\ufeff").splitlines()
    except UnicodeDecodeError as exc:
        raise ImportProblems([Problem(path.name, None, "encoding", f"not UTF-8 (byte {exc.start})")]) from None
    records, problems = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            problems.append(Problem(path.name, number, "line", f"not valid JSON ({getattr(exc, 'msg', 'nested too deeply')})"))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(path.name, number, "line", f"a JSON {type(value).__name__}, not an object of fields"))
            continue
        records.append({**value, "__where__": (path.name, number)})
    frame = pd.DataFrame(records) if records else pd.DataFrame(columns=["text", "outlet"])
    return frame, problems


# Media Cloud's story export (API v2 stories CSV); it carries no text, so texts are fetched.
MEDIACLOUD_COLUMNS = ("stories_id", "title", "url", "language", "publish_date", "media_name")


def read_mediacloud(path: str | Path, fetcher=None, progress: bool = False) -> tuple[pd.DataFrame, list[Problem]]:
    """Return records of a Media Cloud story export with each story's text fetched from its URL."""
    from tqdm import tqdm

    from .fetch import Fetcher, FetchFailed

    path = Path(path)
    frame = read_source_table(path, "csv")
    missing = [c for c in MEDIACLOUD_COLUMNS if c not in frame.columns]
    if missing:
        raise ImportProblems([Problem(path.name, 1, c, "missing Media Cloud column") for c in missing])
    fetcher = fetcher or Fetcher()
    records, problems = [], []
    for i, row in enumerate(tqdm(frame.to_dict("records"), desc="fetching", disable=not progress)):
        where = (path.name, i + 2)
        try:
            text = fetcher.extract(fetcher.download(row["url"]))
        except FetchFailed as exc:
            problems.append(Problem(*where, "url", f"fetch failed: {exc}"))
            continue
        except Exception as exc:  # noqa: BLE001  (one bad page must not lose the others)
            problems.append(Problem(*where, "url", f"fetch failed: {type(exc).__name__}: {exc}"))
            continue
        records.append({"text": text, "outlet": row["media_name"], "url": row["url"], "title": row["title"],
                        "published": row["publish_date"], "language": row["language"],
                        "article_id": f"mc-{row['stories_id']}", "__where__": where})
    return pd.DataFrame(records, columns=[*FIELDS[:-2], "article_id", "__where__"]), problems


def import_source(fmt: str, source: str | Path, into: str | Path, fetcher=None, **options) -> ImportReport:
    """Import a folder, CSV, JSONL or Media Cloud export into the corpus directory ``into``."""
    source = Path(source)
    if fmt == "mediacloud":
        frame, problems = read_mediacloud(source, fetcher, progress=True)
        return corpus_from_frame(frame, into, source=source.name, read_problems=problems, **options)
    if fmt == "folder":
        frame, problems = read_folder(source)
        if frame.empty:
            raise ImportProblems(problems or [Problem(str(source), None, "folder", "no .txt or .md files with front matter")])
        options["read_problems"] = problems
    elif fmt == "jsonl":
        frame, problems = read_jsonl(source)
        options["read_problems"] = problems
    elif fmt == "csv":
        frame = read_source_table(source, fmt)
    else:
        raise ParameterError(f"{fmt!r}: unknown format; choose one of: folder, csv, jsonl, mediacloud")
    return corpus_from_frame(frame, into, source=source.name, **options)
