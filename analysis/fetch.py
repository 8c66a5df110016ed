"""Rehydrate a corpus: download each article's URL and extract its main text with trafilatura.

Texts go to ``<corpus>/cache/<article_id>.txt`` (git-ignored), written atomically, so an
interrupted or failed fetch never leaves or overwrites a cache file with partial text. Polite by
default: a named user agent, a delay between requests to one host, a timeout, bounded retries with
exponential backoff on network errors and 429/5xx answers, a size cap, and only HTML accepted.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pandas as pd
from tqdm import tqdm

from .files import write_atomic
from .validate import CorpusError, check_corpus
from .errors import FramediffError, ParameterError

USER_AGENT = "framediff/0.1 (+research; news framing corpus rehydration)"
HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchFailed(FramediffError):
    """One URL could not be turned into text; the message is the reason for the summary."""


@dataclass
class Fetcher:
    """Settings of a polite fetch (sklearn-style: settings here, state in ``_last_request``)."""

    delay: float = 2.0          # seconds between requests to one host
    timeout: float = 20.0       # seconds per request
    retries: int = 2            # further attempts after a network error or a 429/5xx answer
    backoff: float = 2.0        # seconds before the first retry, doubled each time
    max_bytes: int = 5_000_000  # larger pages are refused
    min_chars: int = 200        # less extracted text counts as "no extractable text"
    user_agent: str = USER_AGENT

    def __post_init__(self):
        for name, low in (("delay", 0), ("retries", 0), ("backoff", 0)):
            if getattr(self, name) < low:
                raise ParameterError(f"--{name} must be ≥ {low}; got {getattr(self, name)}")
        for name in ("timeout", "max_bytes"):
            if getattr(self, name) <= 0:
                raise ParameterError(f"--{name.replace('_', '-')} must be > 0; got {getattr(self, name)}")
        self._last_request: dict[str, float] = {}

    def _wait_for(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is not None:
            time.sleep(max(0.0, self.delay - (time.monotonic() - last)))
        self._last_request[host] = time.monotonic()

    def download(self, url: str) -> str:
        """Return the HTML of ``url`` (redirects followed); raise FetchFailed with the reason."""
        if urlparse(url).scheme not in ("http", "https"):
            raise FetchFailed(f"not an http(s) URL: {url!r}")
        for attempt in range(self.retries + 1):
            self._wait_for(urlparse(url).netloc)
            try:
                return self._get(url)
            except urllib.error.HTTPError as exc:
                reason = f"HTTP {exc.code}"
                if exc.code != 429 and exc.code < 500:
                    raise FetchFailed(reason) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                reason = f"network: {getattr(exc, 'reason', exc)}"
            if attempt < self.retries:
                time.sleep(self.backoff * 2 ** attempt)
        raise FetchFailed(f"{reason} (after {self.retries + 1} attempts)")

    def _get(self, url: str) -> str:
        """Return one page's HTML: every redirect hop checked, the whole page within ``timeout``, decoded."""
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept": "text/html"})
        opener = urllib.request.build_opener(_SafeRedirects)
        deadline = time.monotonic() + self.timeout
        with opener.open(request, timeout=self.timeout) as response:
            kind = response.headers.get_content_type()
            if kind not in HTML_TYPES:
                raise FetchFailed(f"not HTML ({kind})")
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
            if encoding not in ("identity", ""):  # we never ask for compression; a gzip "bomb" is not read
                raise FetchFailed(f"compressed body ({encoding}) that was not asked for")
            chunks, size = [], 0
            while chunk := response.read1(65536):
                chunks.append(chunk)
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchFailed(f"larger than {self.max_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise FetchFailed(f"the page took longer than {self.timeout:g} s")
            body = b"".join(chunks)
            expected = response.headers.get("Content-Length")
            if expected and expected.isdigit() and not response.headers.get("Content-Encoding") and size < int(expected):
                raise FetchFailed(f"truncated: {size:,} of {int(expected):,} bytes")
            return decode_page(body, response.headers.get_content_charset())

    def extract(self, html: str) -> str:
        """Return the main text of a page; raise FetchFailed if there is too little."""
        import trafilatura

        text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True) or ""
        if len(text.strip()) < self.min_chars:
            raise FetchFailed(f"no extractable text ({len(text.strip())} characters)")
        return text.strip() + "\n"


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) URLs only, checking every hop (a page may send the fetcher anywhere)."""

    def http_error_302(self, req, fp, code, msg, headers):
        location = headers.get("Location") or headers.get("URI") or ""
        scheme = urlparse(urljoin(req.full_url, location)).scheme
        if location and scheme not in ("http", "https"):
            raise FetchFailed(f"HTTP {code} redirect to a non-http(s) URL ({scheme or 'no scheme'}:…) refused")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)


def decode_page(body: bytes, declared: str | None) -> str:
    """Return a page's text: the header's charset if it decodes the bytes, else ``<meta charset>``, else detection.

    A charset that is unknown or fails on the bytes (a cp1251 page sent as "utf-8") is skipped;
    detection is charset-normalizer's (which trafilatura installs). Raise FetchFailed if nothing
    decodes the page cleanly.
    """
    meta = _META_CHARSET.search(body[:4096])
    for charset in (declared, meta.group(1).decode("ascii", "replace") if meta else None, "utf-8"):
        if not charset:
            continue
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is None:
        raise FetchFailed(f"cannot tell the page's encoding (declared {declared or 'none'}; no charset decodes it)")
    return str(best)


def fetch(corpus_dir: str | Path = "corpus", ids: list[str] | None = None, force: bool = False,
          fetcher: Fetcher | None = None, progress: bool = True) -> pd.DataFrame:
    """Fetch the articles of a corpus into ``<corpus_dir>/cache/``; return one summary row per article.

    Columns: article_id, url, status (ok, cached, failed), reason, chars. Articles already cached
    are skipped unless ``force``.
    """
    checked = check_corpus(corpus_dir)
    if checked.problems:
        raise CorpusError(checked.problems)
    rows = {row["article_id"]: row for _, row in checked.articles}
    unknown = sorted(set(ids or ()) - set(rows))
    if unknown:
        raise ParameterError(f"unknown article id(s) {unknown}")
    fetcher = fetcher or Fetcher()
    cache = Path(corpus_dir) / "cache"
    summary = []
    for article_id in tqdm(ids or sorted(rows), desc="fetching", unit="page", disable=not progress):
        url, target = rows[article_id]["url"], cache / f"{article_id}.txt"
        if target.is_file() and not force:
            summary.append((article_id, url, "cached", "", len(target.read_text(encoding="utf-8"))))
            continue
        try:
            text = fetcher.extract(fetcher.download(url))
        except FetchFailed as exc:
            summary.append((article_id, url, "failed", str(exc), 0))
            continue
        except Exception as exc:  # noqa: BLE001  (one bad page must not stop the others; its reason is kept)
            summary.append((article_id, url, "failed", f"{type(exc).__name__}: {exc}", 0))
            continue
        write_atomic(target, text)
        summary.append((article_id, url, "ok", "", len(text)))
    return pd.DataFrame(summary, columns=["article_id", "url", "status", "reason", "chars"])
