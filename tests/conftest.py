"""Shared fixtures: the embedded corpus and tiny corpora built in tmp_path."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from analysis import schema
from analysis.features import dumps, featurize

from analysis.paths import EMBEDDED_CORPUS as CORPUS
from analysis.paths import ROOT

OUTLETS = [
    {"outlet_id": "alpha", "name": "Alpha News", "domain": "alpha.test", "country": "Russia",
     "ownership": "state-owned", "group": "russian-state"},
    {"outlet_id": "beta", "name": "Beta Wire", "domain": "beta.test", "country": "United Kingdom",
     "ownership": "private", "group": "western"},
    {"outlet_id": "gamma", "name": "Gamma Copies", "domain": "gamma.test", "country": "unknown",
     "ownership": "aggregator", "group": "aggregator"},
]


def article_row(article_id: str, outlet_id: str, origin_id: str | None = None, **extra) -> dict:
    """Return an articles.csv row with sensible defaults."""
    row = {
        "article_id": article_id, "outlet_id": outlet_id, "origin_id": origin_id or outlet_id,
        "relation": "original", "url": f"https://{outlet_id}.test/{article_id}",
        "published": "2022-08-08", "date_basis": "shown", "title": "", "language": "en",
        "events": "zaporizhzhia-referendum-order", "text_form": "features",
        "source_chars": "100", "truncated": "false",
    }
    row.update(extra)
    return row


def write_csv(path: Path, rows: list[dict], columns) -> None:
    """Write rows as a UTF-8 CSV with the given header."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def build_corpus(root: Path, texts: dict[str, str], rows: list[dict] | None = None,
                 outlets: list[dict] | None = None, as_text: tuple[str, ...] = ()) -> Path:
    """Build a corpus directory: features files from ``texts``, or texts for ids in ``as_text``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "features").mkdir(exist_ok=True)
    (root / "texts").mkdir(exist_ok=True)
    write_csv(root / "outlets.csv", outlets or OUTLETS, schema.OUTLET_COLUMNS)
    write_csv(root / "articles.csv", rows or [], schema.ARTICLE_COLUMNS)
    for article_id, text in texts.items():
        if article_id in as_text:
            (root / "texts" / f"{article_id}.txt").write_text(text, encoding="utf-8")
        else:
            doc = featurize(text).to_dict(article_id, source="test fixture")
            (root / "features" / f"{article_id}.json").write_text(dumps(doc), encoding="utf-8")
    return root


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """A valid three-article corpus: two outlets and an aggregator copy, one held as text."""
    texts = {
        "alpha-1": "The head of the region signed an order. Kiev will break off talks.",
        "beta-1": "The Russia-installed official ordered a “sham referendum”. Kyiv warned.",
        "gamma-1": "The Russia-installed official ordered a “sham referendum”. Kyiv warned.",
    }
    rows = [
        article_row("alpha-1", "alpha", text_form="full"),
        article_row("beta-1", "beta"),
        article_row("gamma-1", "gamma", "beta", relation="copy"),
    ]
    return build_corpus(tmp_path / "tiny", texts, rows, as_text=("alpha-1",))


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the embedded corpus (without its cache)."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target, ignore=shutil.ignore_patterns("cache"))
    return target


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
