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
