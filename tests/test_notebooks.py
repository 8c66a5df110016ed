"""Notebooks: committed clean, executed by papermill on the embedded corpus (en, ru) and a fixture."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis.runner import RunError, notebooks, run

from .conftest import CORPUS, article_row, build_corpus

TABLE_COLUMNS = {
    "distinctive_terms": ["group", "n_articles", "small_group", "direction", "rank", "term", "score",
                          "mean_in", "mean_out", "df_in", "df_out", "forms", "stability", "ci_low", "ci_high"],
    "seed_vs_rest": ["seed_id", "n_rest", "direction", "rank", "term", "score", "seed_tfidf", "rest_mean", "rest_df",
                     "forms", "seed_chars", "others_median_chars"],
    "keyness": ["comparison", "term", "count_a", "count_b", "total_a", "total_b", "n_articles_a", "n_articles_b",
                "chi2", "p_chi2", "g2", "p_g2", "q_g2", "log_ratio", "pmi", "forms"],
    "log_odds": ["comparison", "term", "count_a", "count_b", "frequency", "delta", "variance", "z",
                 "n_articles_a", "n_articles_b", "z_rank", "p_value", "q_value", "forms"],
    "similarity_pairs": ["article_id_a", "article_id_b", "similarity"],
    "seed_neighbours": ["seed_id", "rank", "article_id", "similarity", "seed_chars", "others_median_chars"],
    "seed_length_sensitivity": ["kind", "item", "matched", "full", "holds", "matched_chars", "full_chars"],
    "copy_pairs": ["article_id_a", "article_id_b", "score", "overlap", "shared", "outside_quotations", "reason"],
    "copy_clusters": ["article_id", "cluster", "representative"],
    "naming": ["article_id", "concept", "variant", "count", "group"],
    "scare_quotes": ["group", "phrase", "count", "n_articles_using", "n_articles", "group_tokens", "per_1000_tokens"],
    "context_coverage": ["article_id", "item", "label", "count", "included"],
}
FIGURES = ["corpus_overview", "distinctive_terms", "seed_vs_rest", "seed_neighbours", "similarity_heatmap",
           "similarity_dendrogram", "similarity_map", "naming", "scare_quotes", "context_coverage"]


def test_six_notebooks_committed_without_outputs_and_one_parameters_cell():
    paths = notebooks()
    assert [p.stem for p in paths] == ["01-corpus", "02-distinctive-terms", "03-similarity",
                                       "04-naming-and-quotes", "05-context", "06-across-languages"]
    assert [p.stem for p in notebooks(scope="all")] == ["06-across-languages"]
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[0].cell_type == "markdown"
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and nb.cells[1] is tagged[0], path.name
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name
                assert "def " not in cell.source, f"{path.name}: functions belong in analysis/"
        assert "seed_id = \"rt-2022-08-08\"" in tagged[0].source
        assert ("language = \"en\"" in tagged[0].source) == (path in notebooks(scope="language"))


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _without_images(outputs: list[dict]) -> str:
    """Return outputs as JSON with image data left out (base64 is not a path)."""
    import json

    return json.dumps([{**o, "data": {k: v for k, v in o.get("data", {}).items() if k != "image/png"}}
                       for o in outputs])


def assert_reader_sees_the_results(target: Path, forbidden: list[str]) -> None:
    """Every saved PNG is inline in a notebook and its HTML page; no output names a machine's path.

    The repository's path appears nowhere in a notebook, not even in papermill's metadata.
    """
    from analysis.paths import ROOT

    executed = [nbformat.read(p, as_version=4) for p in sorted(target.glob("*.ipynb"))]
    pngs = sorted(p.name for p in (target / "figures").glob("*.png"))
    shown = sorted(o["metadata"]["framediff"]["figure"] for nb in executed for o in _outputs(nb)
                   if "image/png" in o.get("data", {}))
    assert shown == pngs
    for nb in executed:
        text = _without_images(_outputs(nb))
        assert not [f for f in forbidden if f in text], [f for f in forbidden if f in text]
        assert str(ROOT) not in nbformat.writes(nb)
    pages = "".join(p.read_text(encoding="utf-8") for p in target.glob("0*.html"))
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', pages)) == len(pngs)
    assert sorted(f"{a}.png" for a in re.findall(r'alt="([^"]+)"', pages)) == pngs
    index = (target / "index.html").read_text(encoding="utf-8")
    assert all(f"src='figures/{name}'" in index for name in pngs) and "Findings" in index


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "ru"])
def test_runner_on_embedded_corpus(tmp_path, language):
    import os
    import stat

    from analysis.paths import ROOT

    old = os.umask(0o022)
    try:
        target = run(language, {}, reports=tmp_path, progress=False)
    finally:
        os.umask(old)
    assert_reader_sees_the_results(target, [str(ROOT), "/tmp/", "/root/", "/home/"])
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert {stat.S_IMODE(p.stat().st_mode) for p in target.rglob("*")} == {0o644, 0o755}
    if language == "en":
        kwic = pd.read_csv(target / "tables" / "keywords_in_context.csv", keep_default_na=False)
        rt = kwic[(kwic["selected_by"] == "seed") & (kwic["article_id"] == "rt-2022-08-08") & (kwic["term"] == "kiev")]
        # the seed's lead, matched in length: its first two uses of "Kiev", as written
        assert rt["match"].tolist() == ["Kiev", "Kiev"]
        assert rt["right"].iloc[0] == " and seeking to join Russia."
    assert target == tmp_path / language
    for name in FIGURES:
        assert (target / "figures" / f"{name}.png").stat().st_size > 10_000, name
        assert (target / "figures" / f"{name}.svg").is_file()
    for name, columns in TABLE_COLUMNS.items():
        table = pd.read_csv(target / "tables" / f"{name}.csv")
        assert list(table.columns) == columns, name
        assert len(table) > 0, name
    aside = pd.read_csv(target / "tables" / "copy_pairs_set_aside.csv")  # empty: of the pairs, only RT's article is text
    assert list(aside.columns) == TABLE_COLUMNS["copy_pairs"] and aside.empty
    assert len(list(target.glob("*.ipynb"))) == 5
    index = (target / "index.md").read_text(encoding="utf-8")
    assert "[distinctive_terms](tables/distinctive_terms.csv)" in index
    seed = pd.read_csv(target / "tables" / "seed_vs_rest.csv")["seed_id"].iloc[0]
    assert seed == {"en": "rt-2022-08-08", "ru": "rt-ru-2022-08-08"}[language]
    seed_table = pd.read_csv(target / "tables" / "seed_vs_rest.csv")
    ratio = seed_table["seed_chars"].iloc[0] / seed_table["others_median_chars"].iloc[0]
    assert 0.6 <= ratio <= 1.4 if language == "en" else ratio > 0  # ru: RT's Russian article has only features
    robust = pd.read_csv(target / "tables" / "robustness.csv")
    assert {"stop words off", "min_df 2", "dedupe off", "seed full", "prior ×0.1", "prior ×10"} <= set(robust.columns)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") and p.name != ".locks"]  # no temp dirs left


@pytest.mark.slow
def test_notebooks_on_a_tiny_fixture_corpus(tmp_path):
    texts = {
        "alpha-1": "Kiev said the referendum will go ahead. Peskov replied to Zelensky.",
        "alpha-2": "The referendum in Zaporozhye region was ordered by the head. Kiev was silent.",
        "beta-1": "Occupiers plan a “referendum” in Zaporizhzhia. Kyiv condemned the sham referendum.",
        "beta-2": "Kyiv said the Russia-installed official will stage a sham referendum in Kherson.",
        "beta-3": "Kyiv said the Russia-installed official will stage a sham referendum in Kherson.",
    }
    rows = [article_row("alpha-1", "alpha"), article_row("alpha-2", "alpha"), article_row("beta-1", "beta"),
            article_row("beta-2", "beta"), article_row("beta-3", "gamma", "beta", relation="copy")]
    root = build_corpus(tmp_path / "fixture", texts, rows)
    for sub in ("lexicons", "context", "stopwords"):
        shutil.copytree(CORPUS / sub, root / sub)
    target = run("en", {"corpus_dir": str(root), "seed_id": "alpha-1", "n_resamples": 20},
                 reports=tmp_path / "reports", progress=False)
    clusters = pd.read_csv(target / "tables" / "copy_clusters.csv")
    assert clusters.set_index("article_id").loc["beta-3", "representative"] == "beta-2"
    neighbours = pd.read_csv(target / "tables" / "seed_neighbours.csv")
    assert len(neighbours) == 3  # four articles after dedupe: the seed and three others
    naming = pd.read_csv(target / "tables" / "naming.csv")
    kyiv = naming[(naming.variant == "Kyiv")].groupby("group")["count"].sum()
    assert kyiv.to_dict() == {"russian-state": 0, "western": 2}


@pytest.mark.slow
def test_bad_parameter_fails_loudly_and_keeps_the_previous_report(tmp_path):
    previous = tmp_path / "en"
    previous.mkdir()
    (previous / "marker").write_text("old", encoding="utf-8")
    with pytest.raises(RunError, match=r"01-corpus.ipynb: cell \d+ failed: ParameterError: unknown seed_id 'nope'; choose one of: aawsat"):
        run("en", {"seed_id": "nope"}, names=["01-corpus"], reports=tmp_path, progress=False)
    with pytest.raises(RunError, match="unknown language 'xx'; choose one of: bs, de, en"):
        run("xx", {}, names=["01-corpus"], reports=tmp_path, progress=False)
    with pytest.raises(RunError, match="unknown group_by 'colour'"):
        run("en", {"group_by": "colour"}, names=["01-corpus"], reports=tmp_path, progress=False)
    assert (previous / "marker").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".locks", "en"]  # the lock folder, no work folder
    with pytest.raises(RunError, match="unknown notebook"):
        notebooks(["99-nothing"])


@pytest.mark.slow
def test_running_a_subset_updates_the_report(tmp_path):
    run("en", {"n_resamples": 5}, names=["01-corpus", "05-context"], reports=tmp_path, progress=False)
    run("en", {"n_resamples": 5}, names=["05-context"], reports=tmp_path, progress=False)
    target = tmp_path / "en"
    assert sorted(p.name for p in target.glob("*.ipynb")) == ["01-corpus.ipynb", "05-context.ipynb"]
    assert (target / "tables" / "copy_clusters.csv").is_file()
    assert "[01-corpus](01-corpus.ipynb)" in (target / "index.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_plain_papermill_from_the_root_and_a_run_from_notebooks_dir(tmp_path):
    import subprocess
    import sys

    from analysis.paths import ROOT

    out = tmp_path / "ru"
    result = subprocess.run([sys.executable, "-m", "papermill", "notebooks/02-distinctive-terms.ipynb",
                             str(tmp_path / "out.ipynb"), "-p", "language", "ru", "-p", "n_resamples", "5",
                             "-p", "output_dir", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (out / "tables" / "seed_vs_rest.csv").is_file()
    # JupyterLab runs a notebook in notebooks/: corpus_dir = "corpus" must still be found.
    import papermill

    papermill.execute_notebook(str(ROOT / "notebooks" / "05-context.ipynb"), str(tmp_path / "nb.ipynb"),
                               parameters={"output_dir": str(tmp_path / "from-notebooks")},
                               cwd=str(ROOT / "notebooks"), kernel_name="python3", progress_bar=False)
    assert (tmp_path / "from-notebooks" / "tables" / "context_coverage.csv").is_file()
    executed = nbformat.read(tmp_path / "nb.ipynb", as_version=4)
    assert [o["metadata"]["framediff"]["figure"] for o in _outputs(executed)
            if "image/png" in o.get("data", {})] == ["context_coverage.png", "seed_length_context.png"]


def test_relative_paths_resolve_to_the_repository_root(monkeypatch):
    from analysis.paths import ROOT, report_dir, resolve

    monkeypatch.chdir(ROOT / "notebooks")  # where JupyterLab runs a notebook
    assert resolve("corpus") == ROOT / "corpus"
    assert resolve("reports/en") == ROOT / "reports" / "en"
    assert report_dir("ru") == ROOT / "reports" / "ru"
    assert report_dir("ru", "/tmp/x") == Path("/tmp/x")


@pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets")
def test_kernels_talk_over_their_own_unix_sockets(tmp_path):
    # Over TCP, kernels started together could pick the same free port (ZMQError: Address already in use).
    import asyncio
    import glob
    import tempfile

    from analysis.runner import _kernel_manager

    async def start_two():
        managers = [_kernel_manager(tmp_path / "kernel.log")(kernel_name="python3") for _ in range(2)]
        await asyncio.gather(*(m.start_kernel() for m in managers))
        clients = [m.client() for m in managers]
        try:
            for client in clients:
                client.start_channels()
            await asyncio.gather(*(c.wait_for_ready(timeout=60) for c in clients))  # both bound and answering
            info = [m.get_connection_info() for m in managers]
            files = [glob.glob(f"{i['ip']}-*") for i in info]
        finally:
            for client in clients:
                client.stop_channels()
            await asyncio.gather(*(m.shutdown_kernel(now=True) for m in managers))
        return info, files, [glob.glob(f"{i['ip']}-*") for i in info]

    info, files, left = asyncio.run(start_two())
    assert [i["transport"] for i in info] == ["ipc", "ipc"] and info[0]["ip"] != info[1]["ip"]
    assert all(i["ip"].startswith(tempfile.gettempdir()) for i in info)
    assert [len(f) for f in files] == [5, 5] and left == [[], []]  # five sockets each, removed at shutdown
