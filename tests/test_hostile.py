"""Bad and hostile input: each gives one clear line (file, row, field where there is one), a non-zero
exit, nothing written outside the target and previous outputs intact. The README's "What bad input
gets" table summarises this suite."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.files import spreadsheet_safe
from analysis.paths import ROOT
from analysis.study import Outputs

from .conftest import CORPUS


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``python -m analysis ARGS`` in this process (as the command line does); return its exit and output."""
    import contextlib
    import io
    import os

    from analysis.cli import main

    out, err, before = io.StringIO(), io.StringIO(), os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def one_line_failure(result: subprocess.CompletedProcess, *expected: str) -> None:
    """Assert a failure of one clear line (or a list of problems), no traceback."""
    assert result.returncode != 0, result.stdout[-500:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    for text in expected:
        assert text in result.stderr, result.stderr[-2000:]


# -- every notebook parameter with a wrong type or value: refused before anything runs ------------------
BAD_PARAMETERS = [
    ("nonsense=1", "unknown parameter(s) nonsense"),
    ("top_k=-1", "top_k = -1: must be ≥ 1"),
    ("top_k=0", "top_k = 0: must be ≥ 1"),
    ("top_k=abc", "top_k = 'abc': expected int"),
    ("min_df=-1", "min_df = -1: must be ≥ 1"),
    ("min_df=abc", "min_df = 'abc': expected int"),
    ("n_resamples=-5", "n_resamples = -5: must be ≥ 0"),
    ("n_resamples=1.5", "n_resamples = 1.5: expected int"),
    ("dedupe=maybe", "dedupe = 'maybe': expected bool"),
    ("dedupe=1", "dedupe = 1: expected bool"),
    ("copy_threshold=1.5", "copy_threshold = 1.5: must be between 0.0 and 1.0"),
    ("copy_threshold=-0.1", "copy_threshold = -0.1: must be between 0.0 and 1.0"),
    ("copy_threshold=high", "copy_threshold = 'high': expected float"),
    ("random_seed=true", "random_seed = True: expected int"),
    ("random_seed=-1", "random_seed = -1: must be ≥ 0"),
    ("seed_length=half", "seed_length = 'half': choose 'matched' or 'full' or a number"),
    ("seed_length=0", "seed_length = 0: must be ≥ 1"),
    ("lemmas=sometimes", "lemmas = 'sometimes': choose 'auto'"),
    ("originals_only=perhaps", "originals_only = 'perhaps': expected bool"),
    ("group_by=3", "group_by = 3: expected str"),
    ("corpus_dir=[1, 2]", "corpus_dir = [1, 2]: expected str"),
    ("oops", "--param 'oops': expected KEY=VALUE"),
]


@pytest.mark.parametrize("param, message", BAD_PARAMETERS)
def test_bad_parameters_are_refused_in_one_line(tmp_path, param, message):
    result = cli("run", "--language", "pl", "--reports", str(tmp_path / "reports"), "--param", param)
    one_line_failure(result, f"run: {message}")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "reports").exists()  # nothing written


# -- report tables never carry a live spreadsheet formula -----------------------------------------------
@pytest.mark.parametrize("cell, written", [
    ("=1+2", "'=1+2"), ('=HYPERLINK("http://x","click")', '\'=HYPERLINK("http://x","click")'),
    ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"), ("\tx", "'\tx"), ("\rx", "'\nx"), ("a\r\nb", "a\nb"),
    ("-0.5", "-0.5"), ("plain", "plain"),
])
def test_report_tables_defuse_formulas(tmp_path, cell, written):
    Outputs(tmp_path).table(pd.DataFrame({"title": [cell], "count": [-3]}), "t", rows=0)
    with open(tmp_path / "tables" / "t.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["title", "count"], [written, "-3"]]


def test_spreadsheet_safe_leaves_numbers_and_missing_values():
    frame = pd.DataFrame({"n": [-1.5, 2.0], "s": [None, "=x"]})
    safe = spreadsheet_safe(frame)
    assert safe["n"].tolist() == [-1.5, 2.0] and pd.isna(safe["s"][0]) and safe["s"][1] == "'=x"
    assert frame["s"][1] == "=x"  # the input is not changed


# -- any coding scheme ---------------------------------------------------------------------------------
def _recode(corpus_copy: Path, mapping: dict[str, str]) -> None:
    outlets = pd.read_csv(corpus_copy / "outlets.csv", dtype=str, keep_default_na=False)
    outlets["group"] = outlets["group"].map(lambda g: mapping.get(g, g))
    outlets.to_csv(corpus_copy / "outlets.csv", index=False)


def test_a_researchers_own_coding_scheme_is_accepted(corpus_copy):
    _recode(corpus_copy, {"western": "left", "ukrainian": "center", "russian-state": "right"})
    result = cli("validate", str(corpus_copy))
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr
    from analysis.corpus import load_corpus
    from analysis.plots import group_colour

    groups = set(load_corpus(corpus_copy).articles["group"])
    assert {"left", "center", "right"} <= groups
    colours = {g: group_colour(g, groups) for g in groups}
    assert len(set(colours.values())) == len(groups)  # stable, distinct colours of their own


def test_a_one_letter_typo_in_a_code_is_warned_not_refused(corpus_copy):
    outlets = pd.read_csv(corpus_copy / "outlets.csv", dtype=str, keep_default_na=False)
    row = outlets.index[outlets["group"] == "western"][0]
    outlets.loc[row, "group"] = "westren"
    outlets.to_csv(corpus_copy / "outlets.csv", index=False)
    result = cli("validate", str(corpus_copy))
    assert result.returncode == 0
    assert f"outlets.csv:{row + 2}: group: 'westren' is used once and is one letter from" in result.stderr


# -- fetch against a hostile local server -----------------------------------------------------------------
CYRILLIC = ("<p>" + "Глава администрации подписал распоряжение о проведении референдума в области. " * 6 + "</p>")


class Hostile:
    """Pages a hostile or broken server sends: (status, headers, body bytes, bytes per second or None)."""

    pages = {
        "/ftp": (302, {"Location": "ftp://internal.example/secret"}, b"", None),
        "/file": (302, {"Location": "file:///etc/passwd"}, b"", None),
        "/data": (301, {"Location": "data:text/html,<p>x</p>"}, b"", None),
        "/loop": (302, {"Location": "/loop"}, b"", None),
        "/cp1251-no-charset": (200, {"Content-Type": "text/html"},
                               f"<html><body><article>{CYRILLIC}</article></body></html>".encode("cp1251"), None),
        "/cp1251-wrong-header": (200, {"Content-Type": "text/html; charset=utf-8"},
                                 f"<html><body><article>{CYRILLIC}</article></body></html>".encode("cp1251"), None),
        "/cp1251-meta": (200, {"Content-Type": "text/html"},
                         f"<html><head><meta charset=windows-1251></head><body><article>{CYRILLIC}</article>"
                         f"</body></html>".encode("cp1251"), None),
        "/unknown-charset": (200, {"Content-Type": "text/html; charset=x-no-such"},
                             f"<html><body><article>{CYRILLIC}</article></body></html>".encode("utf-8"), None),
        "/truncated": (200, {"Content-Type": "text/html", "Content-Length": "100000"},
                       f"<html><body><article>{CYRILLIC}</article>".encode("utf-8"), None),
        "/trickle": (200, {"Content-Type": "text/html"}, b"<html><body>" + b"x" * 400, 200),
        "/binary": (200, {"Content-Type": "application/octet-stream"}, bytes(range(256)) * 10, None),
        "/gzip-bomb": (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"},
                       __import__("gzip").compress(b"\0" * 20_000_000), None),
    }


def _hostile_server():
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            status, headers, body, rate = Hostile.pages.get(self.path, (404, {}, b"", None))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                if rate:
                    for i in range(0, len(body), 20):
                        self.wfile.write(body[i:i + 20])
                        self.wfile.flush()
                        time.sleep(20 / rate)
                else:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture(scope="module")
def hostile_fetch(tmp_path_factory):
    from analysis.fetch import Fetcher, fetch

    from .conftest import article_row, build_corpus

    httpd = _hostile_server()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    names = [p.strip("/") for p in Hostile.pages]
    rows = [article_row(f"h-{n}", "alpha", url=f"{base}/{n}") for n in names]
    root = build_corpus(tmp_path_factory.mktemp("hostile") / "web", {f"h-{n}": "Placeholder words." for n in names}, rows)
    summary = fetch(root, fetcher=Fetcher(delay=0, timeout=1.0, retries=0, backoff=0, min_chars=50), progress=False)
    httpd.shutdown()
    return root, summary.set_index("article_id")


@pytest.mark.parametrize("page, status, reason", [
    ("ftp", "failed", "HTTP 302 redirect to a non-http(s) URL (ftp:…) refused"),
    ("file", "failed", "HTTP 302 redirect to a non-http(s) URL (file:…) refused"),
    ("data", "failed", "HTTP 301 redirect to a non-http(s) URL (data:…) refused"),
    ("loop", "failed", "HTTP 302"),
    ("truncated", "failed", "truncated:"),
    ("trickle", "failed", "the page took longer than 1 s"),
    ("binary", "failed", "not HTML (application/octet-stream)"),
    ("gzip-bomb", "failed", "compressed body (gzip) that was not asked for"),
])
def test_fetch_refuses_what_a_page_must_not_do(hostile_fetch, page, status, reason):
    root, summary = hostile_fetch
    assert summary.loc[f"h-{page}", "status"] == status
    assert summary.loc[f"h-{page}", "reason"].startswith(reason), summary.loc[f"h-{page}", "reason"]
    assert not (root / "cache" / f"h-{page}.txt").exists()


@pytest.mark.parametrize("page", ["cp1251-no-charset", "cp1251-wrong-header", "cp1251-meta", "unknown-charset"])
def test_fetch_decodes_wrong_or_missing_charsets(hostile_fetch, page):
    root, summary = hostile_fetch
    assert summary.loc[f"h-{page}", "status"] == "ok", summary.loc[f"h-{page}", "reason"]
    text = (root / "cache" / f"h-{page}.txt").read_text(encoding="utf-8")
    assert "Глава администрации подписал распоряжение" in text and "\ufffd" not in text


# -- validate, features, export: malformed corpora and paths --------------------------------------------
def _corpus_with(tmp_path: Path, change) -> Path:
    import shutil

    root = tmp_path / "c"
    shutil.copytree(CORPUS, root, ignore=shutil.ignore_patterns("cache"))
    change(root)
    return root


def _header_only(root):
    text = (root / "articles.csv").read_text(encoding="utf-8")
    (root / "articles.csv").write_text(text.splitlines()[0] + "\n", encoding="utf-8")


def _set_count(value):
    def change(root):
        import json

        path = root / "features" / "afp-2022-08-08.json"
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["unigrams"]["huge"] = value
        path.write_text(json.dumps(doc), encoding="utf-8")
    return change


def _write_feature(text: str | bytes):
    def change(root):
        path = root / "features" / "afp-2022-08-08.json"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return change


def _bad_id(value):
    def change(root):
        text = (root / "articles.csv").read_text(encoding="utf-8")
        (root / "articles.csv").write_text(text.replace("afp-2022-08-08,", f"{value},", 1), encoding="utf-8")
    return change


@pytest.mark.parametrize("change, expected", [
    (_header_only, "articles.csv:2: row: no articles (the file has only its header)"),
    (_set_count(2**40), "counts must be integers from 1 to 2,147,483,647"),
    (_set_count(-3), "counts must be integers from 1 to"),
    (_set_count("7"), "counts must be integers from 1 to"),
    (_write_feature("[" * 100_000 + "]" * 100_000), "features/afp-2022-08-08.json: json: nested too deeply"),
    (_write_feature(b"\xff\xfe\x00garbage"), "features/afp-2022-08-08.json: encoding: not UTF-8"),
    (_write_feature(""), "features/afp-2022-08-08.json:1: json: not valid JSON"),
    (_bad_id("../../etc/passwd"), "article_id"),
    (_bad_id("a/b"), "article_id"),
    (_bad_id("x\\u0000y"), "article_id"),
])
def test_validate_names_file_row_and_field(tmp_path, change, expected):
    root = _corpus_with(tmp_path, change)
    result = cli("validate", str(root))
    one_line_failure(result, expected)


@pytest.mark.parametrize("args, expected", [
    (("summary", "corpus", "--out", "/proc/nope"), "summary: /proc/nope: No such file or directory"),
    (("import", "folder", "/nonexistent-folder", "--into", "{tmp}/x"), "import: /nonexistent-folder: No such file"),
    (("fetch", "corpus", "--ids", "../../etc/x"), "fetch: unknown article id(s) ['../../etc/x']"),
    (("fetch", "corpus", "--retries", "-1"), "fetch: --retries must be ≥ 0; got -1"),
    (("fetch", "corpus", "--timeout", "0"), "fetch: --timeout must be > 0; got 0.0"),
    (("fetch", "corpus", "--delay", "-2"), "fetch: --delay must be ≥ 0; got -2.0"),
    (("run", "--language", "/../../x", "--reports", "{tmp}/r"), "run: language '/../../x': expected an ISO 639 code"),
    (("run", "--language", "pl", "--reports", "{tmp}/file"), "run: {tmp}/file: exists and is not a folder"),
    (("run", "--language", "en", "--language", "ru", "--param", "output_dir={tmp}/o"), "run: output_dir names one folder"),
    (("export-features", "corpus", "--into", "corpus/features/sub"), "is inside the corpus corpus"),
    (("export-features", "corpus", "--into", "corpus"), "export-features: corpus: already exists"),
    (("compare-reports", "nowhere", "corpus"), "compare-reports: nowhere: not a folder"),
])
def test_path_mistakes_give_one_line(tmp_path, args, expected):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = cli(*args)
    one_line_failure(result, expected.replace("{tmp}", str(tmp_path)))
    assert not (ROOT / "corpus" / "features" / "sub").exists() and not (tmp_path / "r").exists()


def test_features_refuses_colliding_output_names(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text("Some text.", encoding="utf-8")
    result = cli("features", str(tmp_path / "a" / "x.txt"), str(tmp_path / "b" / "x.txt"), "--out", str(tmp_path / "out"))
    one_line_failure(result, "would both write", "rename one")
    assert not (tmp_path / "out").exists()


# -- import: hostile front matter, duplicates, interruptions --------------------------------------------
FRONT = "---\noutlet: Example Daily\nlanguage: en\npublished: 2022-08-08\n---\n"


@pytest.mark.parametrize("name, content, expected", [
    ("bomb.md", "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\ntitle: *b\noutlet: X\n---\nbody\n",
     "bomb.md: front matter: YAML aliases (*name) are not allowed"),
    ("tag.md", "---\noutlet: !!python/object:os.system [ls]\n---\nbody\n", "tag.md: front matter: YAML tags"),
    ("list.md", "---\noutlet: [a, b]\nlanguage: en\n---\nbody\n", "list.md: outlet: must be a single value, not a list"),
    ("map.md", "---\ntitle: {a: 1}\noutlet: X\nlanguage: en\n---\nbody\n", "map.md: title: must be a single value, not a dict"),
    ("date.md", "---\noutlet: X\nlanguage: en\npublished: 2022-02-30\n---\nbody\n", "date.md: published: '2022-02-30' is not a date"),
    ("nofront.md", "just a body\n", "nofront.md: front matter: missing"),
    ("open.md", "---\noutlet: X\nbody without a closing line\n", "open.md: front matter: no closing --- line"),
    ("yaml.md", "---\noutlet: [unclosed\n---\nbody\n", "yaml.md: front matter: not valid YAML"),
    ("big.md", "---\ntitle: " + "x" * 70_000 + "\n---\nbody\n", "big.md: front matter: longer than 64,000"),
    ("empty.md", FRONT, "empty.md"),
    ("url.md", FRONT.replace("language: en", "language: en\nurl: javascript:alert(1)") + "body\n", "url.md: url:"),
    ("id.md", FRONT.replace("language: en", "language: en\narticle_id: ../../x") + "body\n", "id.md: article_id:"),
    ("lang.md", FRONT.replace("language: en", "language: klingon") + "body\n", "lang.md: language:"),
    ("newline.md", FRONT.replace("outlet: Example Daily", 'outlet: "Example\\nDaily"') + "body\n",
     "newline.md: outlet: contains a control character"),
    ("nul.md", FRONT.replace("outlet: Example Daily", 'outlet: "Ex\\0ample"') + "body\n", "nul.md: outlet: contains a control"),
    ("huge.md", FRONT + "word " * 1_100_000, "huge.md: text: 5,500,000 characters"),
    ("empty.txt", "", "empty.txt: front matter: missing"),
])
def test_import_refuses_hostile_front_matter(tmp_path, name, content, expected):
    source = tmp_path / "src"
    source.mkdir()
    (source / name).write_text(content, encoding="utf-8")
    result = cli("import", "folder", str(source), "--into", str(tmp_path / "into"))
    one_line_failure(result, expected)
    assert not (tmp_path / "into").exists()


def test_import_refuses_binary_and_non_utf8_files(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "bin.txt").write_bytes(bytes(range(256)))
    (source / "latin.md").write_bytes((FRONT + "Café à Zaporijjia.\n").encode("latin-1"))
    result = cli("import", "folder", str(source), "--into", str(tmp_path / "into"))
    one_line_failure(result, "bin.txt", "latin.md", "2 problem(s); nothing imported")
    assert not (tmp_path / "into").exists()


def test_import_reads_norwegian_bom_and_crlf_as_written(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.md").write_text(FRONT.replace("language: en", "language: no") + "Tekst om folkeavstemningen.\n",
                                 encoding="utf-8")
    (source / "b.md").write_bytes(("\ufeff" + FRONT + "Body with CRLF.\nSecond line.\n").replace("\n", "\r\n").encode())
    result = cli("import", "folder", str(source), "--into", str(tmp_path / "into"))
    assert result.returncode == 0, result.stderr
    rows = pd.read_csv(tmp_path / "into" / "articles.csv", dtype=str)
    assert sorted(rows["language"]) == ["en", "no"]  # "no" is Norwegian, not YAML's false


def test_import_refuses_one_id_with_two_texts(tmp_path):
    lines = ['{"text": "First text.", "outlet": "X", "language": "en", "article_id": "x-1"}',
             '{"text": "Other text.", "outlet": "X", "language": "en", "article_id": "x-1"}',
             '{"text": "First text.", "outlet": "X", "language": "en", "article_id": "x-1"}']
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("import", "jsonl", str(tmp_path / "a.jsonl"), "--into", str(tmp_path / "into"))
    one_line_failure(result, "article_id: 'x-1' appears twice with different text")


def test_an_interrupted_import_leaves_the_corpus_as_it_was(tmp_path, monkeypatch):
    from analysis import importing

    source = tmp_path / "src"
    source.mkdir()
    for i in range(30):
        (source / f"a{i}.md").write_text(FRONT + f"Article number {i} about the vote.\n", encoding="utf-8")
    assert cli("import", "folder", str(source), "--into", str(tmp_path / "into")).returncode == 0
    def listing():  # the corpus's files (its cache of counts may be made by any read)
        return sorted(p.relative_to(tmp_path / "into") for p in (tmp_path / "into").rglob("*") if "cache" not in p.parts)

    before = listing()
    for i in range(30, 60):
        (source / f"a{i}.md").write_text(FRONT + f"Article number {i} about the vote.\n", encoding="utf-8")
    real_write = importing.write_atomic
    calls = {"n": 0}

    def interrupted(path, text):
        calls["n"] += 1
        if calls["n"] == 10:
            raise KeyboardInterrupt
        real_write(path, text)

    monkeypatch.setattr(importing, "write_atomic", interrupted)
    result = cli("import", "folder", str(source), "--into", str(tmp_path / "into"))
    assert result.returncode == 130 and result.stderr.strip() == "interrupted"
    assert listing() == before
    assert [p.name for p in tmp_path.iterdir()] and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    monkeypatch.undo()
    assert cli("validate", str(tmp_path / "into")).returncode == 0
    again = cli("import", "folder", str(source), "--into", str(tmp_path / "into"))
    assert again.returncode == 0 and again.stdout == "added 30 article(s), 30 already present\n", again.stdout


def test_sigkill_during_an_import_leaves_a_valid_corpus(tmp_path):
    import json
    import signal
    import time

    rows = [json.dumps({"text": f"Article {i} on the referendum order in the region. " * 20, "outlet": f"Outlet {i % 50}",
                        "language": "en", "url": f"https://example.test/{i}"}) for i in range(6000)]
    (tmp_path / "big.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    seed_rows = rows[:5]
    (tmp_path / "seed.jsonl").write_text("\n".join(seed_rows) + "\n", encoding="utf-8")
    assert cli("import", "jsonl", str(tmp_path / "seed.jsonl"), "--into", str(tmp_path / "into")).returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "import", "jsonl", str(tmp_path / "big.jsonl"),
                             "--into", str(tmp_path / "into")], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(4)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    result = cli("validate", str(tmp_path / "into"))
    assert result.returncode == 0, result.stderr[-1000:]
    n = len(pd.read_csv(tmp_path / "into" / "articles.csv"))
    assert n in (5, 6000)  # the old corpus or the new one, never half


def test_outlets_whose_names_slug_alike_stay_apart(tmp_path):
    lines = ['{"text": "One.", "outlet": "RT", "language": "en"}',
             '{"text": "Two.", "outlet": "RT на русском", "language": "ru"}',
             '{"text": "Three.", "outlet": "RT", "language": "en"}']
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli("import", "jsonl", str(tmp_path / "a.jsonl"), "--into", str(tmp_path / "into")).returncode == 0
    outlets = pd.read_csv(tmp_path / "into" / "outlets.csv", dtype=str).set_index("name")["outlet_id"].to_dict()
    assert outlets["RT"] == "rt" and outlets["RT на русском"].startswith("rt-") and len(outlets) == 2


def test_n_tokens_must_equal_the_unigram_total(tmp_path):
    def change(root):
        import json

        path = root / "features" / "afp-2022-08-08.json"
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["n_tokens"] += 5
        path.write_text(json.dumps(doc), encoding="utf-8")

    one_line_failure(cli("validate", str(_corpus_with(tmp_path, change))),
                     "features/afp-2022-08-08.json: n_tokens:", "differs from the total of the unigram counts")


def test_a_killed_runs_work_folders_are_removed_by_the_next_run(tmp_path):
    from analysis.runner import run

    (tmp_path / ".pl-abc123").mkdir()
    (tmp_path / ".pl-abc123" / "01-corpus.ipynb").write_text("half", encoding="utf-8")
    run("pl", {}, names=["01-corpus"], reports=tmp_path, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".locks", "pl"]


def _run_over_a_previous_report(tmp_path, **streams) -> tuple:
    """Start ``run --language pl`` in its own process group over a report holding a marker; return (marker, process) 5 s in."""
    import time

    previous = tmp_path / "pl"
    previous.mkdir()
    (previous / "marker").write_text("old", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "run", "--language", "pl", "--reports", str(tmp_path)],
                            cwd=ROOT, start_new_session=True, **streams)
    time.sleep(5)
    return previous / "marker", proc


@pytest.mark.slow
def test_sigint_mid_run_keeps_the_previous_report_and_leaves_no_debris(tmp_path):
    import os
    import signal

    marker, proc = _run_over_a_previous_report(tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-2000:]
    assert err.strip().splitlines()[-1] == "interrupted" and "Traceback" not in err
    assert marker.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".locks", "pl"]


@pytest.mark.slow
def test_two_partial_runs_at_once_keep_both_updates(tmp_path):
    first = subprocess.Popen([sys.executable, "-m", "analysis", "run", "--language", "pl", "--notebooks", "01-corpus",
                              "--reports", str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    second = cli("run", "--language", "pl", "--notebooks", "04-naming-and-quotes", "--reports", str(tmp_path))
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, (err, second.stderr)
    assert sorted(p.name for p in (tmp_path / "pl").glob("*.ipynb")) == ["01-corpus.ipynb", "04-naming-and-quotes.ipynb"]
    assert "Kernel is running over TCP" not in err + second.stderr


def test_a_50_mb_text_is_refused_in_one_line(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "dump.md").write_text(FRONT + "word " * 10_000_000, encoding="utf-8")
    result = cli("import", "folder", str(source), "--into", str(tmp_path / "into"))
    one_line_failure(result, "dump.md: text: 50,000,000 characters")
    assert not (tmp_path / "into").exists()


@pytest.mark.slow
def test_sigkill_mid_run_keeps_the_previous_report_and_the_next_run_cleans_up(tmp_path):
    import os
    import signal
    import time

    marker, proc = _run_over_a_previous_report(tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc.kill()  # kill -9 of the run itself; its workers finish their notebooks into the dead run's folder
    proc.wait()
    assert marker.read_text(encoding="utf-8") == "old"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(1)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".pl-")]  # the dead run's work folder
    assert cli("run", "--language", "pl", "--notebooks", "01-corpus", "--reports", str(tmp_path)).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".locks", "index.html", "index.md", "pl"]


def test_jsonl_lines_that_are_not_objects_and_skip_bad_counts_rows(tmp_path):
    (tmp_path / "mixed.jsonl").write_text('[1,2]\n{"text": "Good.", "outlet": "X", "language": "en"}\n'
                                          '{"outlet": "Y", "language": "en", "url": "ftp://x"}\n{"text": \n',
                                          encoding="utf-8")
    refused = cli("import", "jsonl", str(tmp_path / "mixed.jsonl"), "--into", str(tmp_path / "a"))
    one_line_failure(refused, "mixed.jsonl:1: line: a JSON list, not an object of fields", "mixed.jsonl:3: text: empty",
                     "mixed.jsonl:4: line: not valid JSON", "4 problem(s); nothing imported")
    skipped = cli("import", "jsonl", str(tmp_path / "mixed.jsonl"), "--into", str(tmp_path / "b"), "--skip-bad")
    assert skipped.returncode == 0
    assert skipped.stdout.splitlines()[0] == ("added 1 article(s), 0 already present, 3 row(s) rejected with "
                                              f"4 problem(s) (see {tmp_path / 'b'}/import-rejects.csv)")


def test_into_a_file_is_refused_in_one_line(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"text": "Good.", "outlet": "X", "language": "en"}\n', encoding="utf-8")
    (tmp_path / "corpus").write_text("not a folder", encoding="utf-8")
    result = cli("import", "jsonl", str(tmp_path / "a.jsonl"), "--into", str(tmp_path / "corpus"))
    one_line_failure(result, f"import: {tmp_path / 'corpus'}: exists and is not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl", "corpus"]


@pytest.mark.slow
def test_output_dir_is_honoured_and_reports_untouched(tmp_path):
    result = cli("run", "--language", "pl", "--notebooks", "01-corpus", "--reports", str(tmp_path / "reports"),
                 "--param", f"output_dir={tmp_path / 'elsewhere'}")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "elsewhere" / "01-corpus.ipynb").is_file() and (tmp_path / "elsewhere" / "index.html").is_file()
    assert not (tmp_path / "reports" / "pl").exists()
