"""Command line: ``python -m analysis {validate,features,summary} …``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import schema
from .corpus import load_corpus, summary
from .errors import FramediffError, ParameterError
from .features import dumps, featurize
from .files import spreadsheet_safe, write_atomic
from .validate import CorpusError


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a corpus directory; print every problem, or a summary when there are none."""
    from .validate import CheckedCorpus, check_outlets

    outlets = CheckedCorpus(Path(args.dir))
    check_outlets(outlets)  # the coding scheme's likely typos (the full check follows)
    for warning in outlets.warnings:
        print(f"warning: {os.path.join(args.dir, str(warning))}", file=sys.stderr)
    try:
        corpus = load_corpus(args.dir)
    except CorpusError as exc:
        for problem in exc.problems:
            print(os.path.join(args.dir, str(problem)), file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {args.dir}", file=sys.stderr)
        return 1
    print(f"{args.dir}: {len(corpus)} articles, {corpus.articles['outlet_id'].nunique()} sites, "
          f"{corpus.articles['origin_id'].nunique()} origin outlets — valid\n")
    print(summary(corpus).to_string())
    return 0


def cmd_features(args: argparse.Namespace) -> int:
    """Write ngrams-v1 features JSON for each text file given."""
    out = Path(args.out)
    stems: dict[str, str] = {}
    for name in args.files:
        if Path(name).stem in stems:
            raise ParameterError(f"{name} and {stems[Path(name).stem]} would both write {out / (Path(name).stem + '.json')}; "
                                 "rename one (the file name is the article id)")
        stems[Path(name).stem] = name
    failed = 0
    for name in args.files:
        path = Path(name)
        article_id = path.stem
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{path}: file: cannot be read as UTF-8 ({exc})", file=sys.stderr)
            failed += 1
            continue
        if not schema.SAFE_ID.match(article_id):
            print(f"{path}: article_id: {article_id!r} is not a safe id (rename the file)", file=sys.stderr)
            failed += 1
            continue
        if not text.strip():
            print(f"{path}: text: empty", file=sys.stderr)
            failed += 1
            continue
        target = out / f"{article_id}.json"
        write_atomic(target, dumps(featurize(text).to_dict(article_id)))
        print(f"{path} -> {target}")
    return 1 if failed else 0


def cmd_summary(args: argparse.Namespace) -> int:
    """Write the corpus summary (articles per group x language) as CSV and Markdown."""
    corpus = load_corpus(args.dir)
    table = summary(corpus)
    out = Path(args.out)
    write_atomic(out / "corpus-summary.csv", spreadsheet_safe(table.reset_index()).to_csv(index=False, lineterminator="\n"))
    write_atomic(out / "corpus-summary.md", f"# Corpus summary: {args.dir}\n\n"
                 f"{len(corpus)} articles; origin group x language:\n\n```\n{table.to_string()}\n```\n")
    print(f"wrote {out / 'corpus-summary.csv'} and {out / 'corpus-summary.md'}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Execute the notebooks into reports/<language>/ for each language given (in one pool), and the overview."""
    from .report import write_overview
    from .runner import ALL, check_languages, corpus_languages, parse_params, run_many

    params = parse_params(args.param)
    languages = [code.strip() for value in args.language or [] for code in value.split(",") if code.strip()]
    check_languages(languages)  # a malformed code is refused before the corpus is read
    held = corpus_languages(params)
    if args.all_languages:
        languages += [*held, ALL]
    languages = list(dict.fromkeys(languages or ["en"]))
    check_languages(languages, held)
    for target in run_many(languages, params, args.notebooks, Path(args.reports)):
        print(f"wrote {target}/ (open index.html: findings, figures, notebooks; index.md lists every file)")
    if not params.get("output_dir"):
        print(f"wrote {write_overview(Path(args.reports))} (links every report)")
    return 0


def cmd_export_features(args: argparse.Namespace) -> int:
    """Write a features-only copy of a corpus (the shareable form)."""
    from .share import export_features

    target = export_features(args.dir, args.into)  # a user mistake raises ParameterError: one line
    print(f"wrote {target} (features only; check it with: python -m analysis validate {target})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import a folder, CSV or JSONL source into a corpus directory (all or nothing)."""
    from .importing import ImportProblems, import_source

    bad = [pair for pair in args.map if "=" not in pair]
    if bad:
        raise ParameterError(f"--map {bad[0]!r}: expected FIELD=COLUMN, e.g. --map text=body")
    columns = dict(pair.split("=", 1) for pair in args.map)
    try:
        report = import_source(args.format, args.src, args.into, columns=columns,
                               language=args.language, skip_bad=args.skip_bad)
    except ImportProblems as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); nothing imported (use --skip-bad to import the good rows)",
              file=sys.stderr)
        return 1
    line = f"added {len(report.added)} article(s), {len(report.already_present)} already present"
    if report.rejected:
        rows = {(p.file, p.row) for p in report.rejected}  # a row with three problems is one rejected row
        line += f", {len(rows)} row(s) rejected with {len(report.rejected)} problem(s) (see {args.into}/import-rejects.csv)"
    print(line)
    if report.new_outlets:
        print(f"new outlets with group/ownership 'unknown' (code them in {args.into}/outlets.csv): "
              f"{', '.join(report.new_outlets)}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    """Fetch article URLs into <dir>/cache/ and print an ok/failed summary; exit 1 if any failed."""
    from .fetch import Fetcher, fetch

    fetcher = Fetcher(delay=args.delay, timeout=args.timeout, retries=args.retries)
    summary = fetch(args.dir, args.ids, args.force, fetcher)
    print(summary.to_string(index=False))
    counts = summary["status"].value_counts()
    print(", ".join(f"{counts.get(s, 0)} {s}" for s in ("ok", "cached", "failed")))
    return 1 if counts.get("failed", 0) else 0


def cmd_lexicon_usage(args: argparse.Namespace) -> int:
    """Print how often each lexicon and context signal of a language occurs in a corpus; list the unused ones."""
    from .lexicon import signal_usage

    usage = signal_usage(load_corpus(args.dir), args.dir, args.language)
    import pandas as pd

    with pd.option_context("display.max_rows", None, "display.max_colwidth", 60, "display.width", 200):
        print(usage.to_string(index=False))
    unused = usage[usage["count"] == 0]
    for file, rows in unused.groupby("file", sort=False):
        print(f"\n{file}/{args.language}.yaml: {len(rows)} of {(usage['file'] == file).sum()} signals never occur "
              f"in {args.dir}: {', '.join(rows['signal'])}")
    return 0


def cmd_compare_reports(args: argparse.Namespace) -> int:
    """Compare two report folders' tables and figures byte for byte; exit 1 if any differ."""
    from .compare import compare_reports, count_compared

    for folder in (args.a, args.b):
        if not Path(folder).is_dir():
            raise ParameterError(f"{folder}: not a folder")
    diff = compare_reports(args.a, args.b)
    if diff.empty:
        print(f"identical: {count_compared(args.a)} tables and figures")
        return 0
    for row in diff.itertuples():
        print(f"{row.status}: {row.path}")
    print(f"{len(diff)} file(s) differ", file=sys.stderr)
    return 1


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``python -m analysis``."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a corpus directory and print a summary")
    p.add_argument("dir", nargs="?", default="corpus")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("features", help="write ngrams-v1 features JSON for text files")
    p.add_argument("files", nargs="+", metavar="FILE.txt")
    p.add_argument("--out", default=".", help="directory for <article_id>.json (default: .)")
    p.set_defaults(func=cmd_features)
    p = sub.add_parser("summary", help="write a corpus summary table")
    p.add_argument("dir", nargs="?", default="corpus")
    p.add_argument("--out", default="reports")
    p.set_defaults(func=cmd_summary)
    p = sub.add_parser("export-features", help="copy a corpus with every text replaced by its features")
    p.add_argument("dir", help="the corpus directory to export")
    p.add_argument("--into", required=True, help="a new directory for the features-only copy")
    p.set_defaults(func=cmd_export_features)
    p = sub.add_parser("import", help="import your own articles (folder, csv, jsonl, mediacloud) into a corpus directory")
    p.add_argument("format", choices=["folder", "csv", "jsonl", "mediacloud"],
                   help="mediacloud: a Media Cloud story export; each story's text is fetched from its URL")
    p.add_argument("src", help="the folder or file to import")
    p.add_argument("--into", required=True, help="the corpus directory to create or extend")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="our field (text, outlet, url, published, title, language, events, article_id) "
                        "from your column, e.g. --map text=body (repeatable)")
    p.add_argument("--language", help="language of rows that do not give one (ISO 639-1)")
    p.add_argument("--skip-bad", action="store_true", help="import good rows; write rejects to import-rejects.csv")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("fetch", help="download article URLs and extract their text into <dir>/cache/")
    p.add_argument("dir", nargs="?", default="corpus")
    p.add_argument("--ids", nargs="+", help="only these article ids")
    p.add_argument("--force", action="store_true", help="fetch again even if cached")
    p.add_argument("--delay", type=float, default=2.0, help="seconds between requests to one host (default 2)")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds per request (default 20)")
    p.add_argument("--retries", type=int, default=2, help="retries after network errors or 429/5xx (default 2)")
    p.set_defaults(func=cmd_fetch)
    p = sub.add_parser("run", help="execute the notebooks with papermill into reports/<language>/")
    p.add_argument("--language", action="append", help="language(s) to run (default: en), repeatable or "
                   "comma-separated (en,ru); 'all' runs the cross-language notebook into reports/all")
    p.add_argument("--all-languages", action="store_true", help="every language of the corpus, and 'all'")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="notebook parameter, e.g. --param group_by=country (repeatable)")
    p.add_argument("--notebooks", nargs="+", help="notebook names (default: all), e.g. 02-distinctive-terms")
    p.add_argument("--reports", "--out", default="reports", help="folder for the reports, one subfolder per language (default: reports)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("lexicon-usage", help="how often each lexicon and context signal occurs in a corpus")
    p.add_argument("dir", nargs="?", default="corpus")
    p.add_argument("--language", required=True, help="the language's lexicons/<language>.yaml and context/<language>.yaml")
    p.set_defaults(func=cmd_lexicon_usage)
    p = sub.add_parser("compare-reports", help="are two report folders' tables and figures byte-identical?")
    p.add_argument("a")
    p.add_argument("b")
    p.set_defaults(func=cmd_compare_reports)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CorpusError as exc:
        print(exc, file=sys.stderr)
        return 1
    except FramediffError as exc:  # a user mistake: its message, never a traceback
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a path that is missing, not a folder, or not writable: say which, no traceback
        where = exc.filename if exc.filename is not None else ""
        print(f"{args.command}: {where}: {exc.strerror or exc}".replace(": : ", ": "), file=sys.stderr)
        return 1
