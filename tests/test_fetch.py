"""fetch against a local HTTP server serving fixture pages; load_corpus(text_source="fetched")."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

from analysis.corpus import load_corpus
from analysis.fetch import Fetcher, fetch

from .conftest import article_row, build_corpus

PARAGRAPHS = ("<p>The Russia-installed head of the Zaporizhzhia region signed an order on Monday to hold a "
              "referendum on joining Russia, according to officials in Melitopol.</p>"
              "<p>Kyiv called the planned vote a sham and warned that it would end any talks with Moscow. "
              "The Kremlin said the residents of the region would decide.</p>")
ARTICLE = f"<html><head><title>T</title></head><body><nav>Home News Sport</nav><article>{PARAGRAPHS}</article><footer>Share this</footer></body></html>"
PAGES = {
    "/article": (200, "text/html; charset=utf-8", ARTICLE),
    "/empty": (200, "text/html", "<html><body><nav>Menu</nav></body></html>"),
    "/pdf": (200, "application/pdf", "%PDF-1.4"),
    "/huge": (200, "text/html", "<html><body>" + "<p>x</p>" * 20_000 + "</body></html>"),
}


class Handler(BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        Handler.hits.append((self.path, self.headers.get("User-Agent")))
        if self.path == "/redirect":
            self.send_response(301)
            self.send_header("Location", "/article")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(1.5)
        status, kind, body = PAGES.get(self.path, (404, "text/html", "not found"))
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.hits = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def web_corpus(tmp_path, server):
    paths = ["article", "missing", "slow", "redirect", "pdf", "huge", "empty"]
    rows = [article_row(f"p-{p}", "alpha", url=f"{server}/{p}") for p in paths]
    return build_corpus(tmp_path / "web", {f"p-{p}": "Placeholder words." for p in paths}, rows)


FAST = dict(delay=0.0, timeout=0.5, retries=1, backoff=0.0, max_bytes=100_000)


def test_fetch_summary_cache_and_reasons(web_corpus):
    summary = fetch(web_corpus, fetcher=Fetcher(**FAST), progress=False).set_index("article_id")
    assert summary.loc["p-article", "status"] == "ok"
    assert summary.loc["p-redirect", "status"] == "ok"  # redirect followed
    reasons = summary["reason"].to_dict()
    assert reasons["p-missing"] == "HTTP 404"
    assert reasons["p-slow"].startswith("network:") and reasons["p-slow"].endswith("(after 2 attempts)")
    assert reasons["p-pdf"] == "not HTML (application/pdf)"
    assert reasons["p-huge"] == "larger than 100,000 bytes"
    assert reasons["p-empty"].startswith("no extractable text")
    cached = (web_corpus / "cache" / "p-article.txt").read_text(encoding="utf-8")
    assert "signed an order on Monday" in cached and "Home News Sport" not in cached and "Share this" not in cached
    assert sorted(p.name for p in (web_corpus / "cache").iterdir()) == ["p-article.txt", "p-redirect.txt"]
    assert all(agent.startswith("framediff/") for _, agent in Handler.hits)


def test_fetch_is_resumable_and_force_refetches(web_corpus):
    fetch(web_corpus, ids=["p-article"], fetcher=Fetcher(**FAST), progress=False)
    again = fetch(web_corpus, ids=["p-article"], fetcher=Fetcher(**FAST), progress=False)
    assert again["status"].tolist() == ["cached"]
    hits = len(Handler.hits)
    forced = fetch(web_corpus, ids=["p-article"], force=True, fetcher=Fetcher(**FAST), progress=False)
    assert forced["status"].tolist() == ["ok"] and len(Handler.hits) == hits + 1


def test_interrupted_fetch_leaves_no_partial_file(web_corpus, monkeypatch):
    fetch(web_corpus, ids=["p-article"], fetcher=Fetcher(**FAST), progress=False)
    before = (web_corpus / "cache" / "p-article.txt").read_bytes()

    import analysis.files as files
    original = open

    class Half:  # the cache file handle: writes 10 characters, then the user presses Ctrl-C
        def __init__(self, *args, **kwargs):
            self.inner = original(*args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.inner.close()

        def write(self, text):
            self.inner.write(text[:10])
            raise KeyboardInterrupt

    monkeypatch.setattr(files, "open", Half, raising=False)  # the module's open, not the builtin
    with pytest.raises(KeyboardInterrupt):
        fetch(web_corpus, ids=["p-article", "p-redirect"], force=True, fetcher=Fetcher(**FAST), progress=False)
    monkeypatch.undo()
    assert (web_corpus / "cache" / "p-article.txt").read_bytes() == before  # not overwritten
    assert sorted(p.name for p in (web_corpus / "cache").iterdir()) == ["p-article.txt"]  # no temp, no partial


def test_cli_exit_status_and_fetched_text_source(web_corpus):
    import subprocess
    import sys

    from .conftest import ROOT
    result = subprocess.run([sys.executable, "-m", "analysis", "fetch", str(web_corpus), "--ids", "p-article",
                             "p-missing", "--delay", "0", "--retries", "0"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "HTTP 404" in result.stdout and "1 ok, 0 cached, 1 failed" in result.stdout
    corpus = load_corpus(web_corpus, text_source="fetched")
    rows = corpus.articles.set_index("article_id")
    assert rows.loc["p-article", "counts_from"] == "fetched"
    assert rows.loc["p-missing", "counts_from"] == "features"
    assert rows.loc["p-article", "n_tokens"] > rows.loc["p-missing", "n_tokens"]
    assert load_corpus(web_corpus).articles.set_index("article_id").loc["p-article", "counts_from"] == "features"
    with pytest.raises(ValueError, match="text_source must be"):
        load_corpus(web_corpus, text_source="web")


def test_per_host_delay_and_backoff_are_requested(web_corpus, server, monkeypatch):
    import analysis.fetch as fetch_module

    sleeps = []
    monkeypatch.setattr(fetch_module.time, "sleep", sleeps.append)
    fetcher = Fetcher(delay=5.0, timeout=0.5, retries=2, backoff=1.0)
    fetcher.download(f"{server}/article")
    fetcher.download(f"{server}/article")
    assert len(sleeps) == 1 and 4.0 < sleeps[0] <= 5.0  # the second request to one host waits
    sleeps.clear()
    with pytest.raises(fetch_module.FetchFailed, match=r"HTTP 404"):
        Fetcher(delay=0, retries=2, backoff=1.0).download(f"{server}/missing")
    assert sleeps == []  # a 404 is not retried
    with pytest.raises(fetch_module.FetchFailed, match="not an http"):
        fetcher.download("file:///etc/passwd")


def test_mediacloud_export_import_fetches_texts(tmp_path, server):
    from analysis.importing import ImportProblems, import_source

    export = tmp_path / "mc.csv"
    pd.DataFrame({  # Media Cloud API v2 story export columns
        "guid": ["g1", "g2"], "stories_id": [101, 102], "processed_stories_id": [1, 2],
        "title": ["Region orders vote", "Missing page"], "url": [f"{server}/article", f"{server}/missing"],
        "language": ["en", "en"], "collect_date": ["2022-08-08 11:00:00"] * 2,
        "publish_date": ["2022-08-08 10:31:00", "2022-08-08 12:00:00"], "media_id": [1, 2],
        "media_name": ["Example Daily", "Other News"], "media_url": ["http://example.test", "http://other.test"],
    }).to_csv(export, index=False)
    fast = Fetcher(**FAST)
    with pytest.raises(ImportProblems, match=r"mc.csv:3: url: fetch failed: HTTP 404"):
        import_source("mediacloud", export, tmp_path / "c", fetcher=fast)
    assert not (tmp_path / "c").exists()
    report = import_source("mediacloud", export, tmp_path / "c", fetcher=fast, skip_bad=True)
    assert report.added == ["mc-101"]
    row = load_corpus(tmp_path / "c").articles.iloc[0]
    assert (row.outlet_name, row.title, str(row.published.date()), row.text_form) == (
        "Example Daily", "Region orders vote", "2022-08-08", "full")
