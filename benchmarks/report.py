"""Write ``benchmarks/RESULTS.md``: every target of the benchmarks with its measured value.

    python benchmarks/report.py

Reads ``benchmarks/results/*.json`` (written by the other scripts) and prints the table of
targets, measured values and whether each is met; ``make bench`` runs it last.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def load(name: str) -> dict | None:
    path = common.RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _throughput(rows: list, res: dict) -> None:
    by = {r["tool"]: r for r in res["rows"]}
    ours = by["framediff"]
    size = f"{res['megabytes']:.0f} MB, median of {res['repeats']}"
    if res.get("split", "none") != "none":  # the short-text corpus: only the scikit-learn target
        each = res["megabytes"] * 1e6 / res["articles"]
        sk = by["scikit-learn"]
        ratio = sk["median_s"] / ours["median_s"]
        rows.append((f"short texts: featurise + count ≥ 2x scikit-learn ({res['articles']:,} sentences of "
                     f"{each:.0f} bytes, {size})", f"{ours['mb_per_s']:.1f} vs {sk['mb_per_s']:.2f} MB/s",
                     f"{ratio:.2f}x", ratio >= 2))
        return
    for peer, need in (("scikit-learn", 2), ("scattertext", 8)):
        if peer in by:
            ratio = by[peer]["median_s"] / ours["median_s"]
            rows.append((f"featurise + count ≥ {need}x {peer} throughput ({size})",
                         f"{ours['mb_per_s']:.1f} vs {by[peer]['mb_per_s']:.2f} MB/s", f"{ratio:.2f}x", ratio >= need))
    if "scikit-learn" in by:
        sk = by["scikit-learn"]["peak_mb"]
        rows.append(("peak memory ≤ scikit-learn's", f"{ours['peak_mb']:.0f} vs {sk:.0f} MB",
                     f"{ours['peak_mb'] / sk:.2f}x", ours["peak_mb"] <= sk))


def _scaling(rows: list, res: dict) -> None:
    last = res["rows"][-1]
    rows.append((f"framing tables for {last['articles']:,} articles ({last['megabytes']:.0f} MB) ≤ 3 min",
                 f"{last['total_s']:.0f} s", f"{last['total_s'] / 180:.2f} of the limit", last["total_s"] <= 180))
    rows.append(("peak memory ≤ 4 GB", f"{last['peak_mb']:.0f} MB", f"{last['peak_mb'] / 4096:.2f} of the limit",
                 last["peak_mb"] <= 4096))
    if res.get("exponents"):
        b = res["exponents"]
        rows.append(("cost grows linearly (time ~ n^b)", f"b = {b['total']:.2f} in all; count {b['count']:.2f}, "
                     f"neighbours {b['neighbours']:.2f}", "", None))
    for r in res["rows"]:
        if "projected_recall_at_10" in r:
            rows.append((f"projected neighbours: recall@10 vs exact ({r['articles']:,} articles)",
                         f"{r['projected_recall_at_10']:.3f}", "", None))


def _study_scale(rows: list, res: dict) -> None:
    totals = [r for r in res["rows"] if r["step"] == "all notebooks"]
    for total in totals:
        n = total["articles"]
        steps = [r for r in res["rows"] if r["articles"] == n and r["step"][:2].isdigit()]
        slowest = max(steps, key=lambda r: r["seconds"])
        small = n <= 20_000  # issue #13: 3 min and 4 GB up to 20,000 articles; 15 min at 100,000
        limit = 180 if small else 900
        rows.append((f"every notebook at {n:,} articles: each ≤ {limit // 60} min" + (", largest process ≤ 4 GB" if small else ""),
                     f"slowest {slowest['step']} {slowest['seconds']:.0f} s; all {total['seconds']:.0f} s; "
                     f"peak {total['peak_mb']:.0f} MB", f"{slowest['seconds'] / limit:.2f} of the limit",
                     slowest["seconds"] <= limit and (total["peak_mb"] <= 4096 or not small)))
    if res.get("exponents"):
        b = res["exponents"]
        rows.append(("study cost grows no faster than n log n (time ~ n^b)",
                     "; ".join(f"{k} {v:.2f}" for k, v in b.items()), "", None))


def _agreement(rows: list, res: dict) -> None:
    for r in res["same_counts"]:
        rows.append((f"same counts and prior: z equals {r['peer']} to 1e-9",
                     f"max abs Δz = {r['max_abs_z_difference']:.1e} over {r['terms']:,} terms", "", r["within_1e-9"]))
    for r in res["defaults"]:
        rows.append((f"defaults vs {r['peer']}: {r['framediff']}",
                     f"top-100 overlap D {r['top100_overlap_democrat']}, R {r['top100_overlap_republican']}; "
                     f"Spearman {r['spearman_shared']:.3f} on {r['shared_terms']:,} terms", "", None))


def table() -> list[tuple]:
    rows: list[tuple] = []
    for name, fn in (("throughput", _throughput), ("throughput-short", _throughput), ("scaling", _scaling),
                     ("study_scale", _study_scale), ("agreement", _agreement)):
        res = load(name)
        if res:
            fn(rows, res)
    cache = load("cache")
    if cache:
        cold, warm = cache["rows"]
        rows.append((f"warm re-load tokenises nothing ({cold['articles']:,} texts)",
                     f"tokenised {warm['tokenised']} (cold {cold['tokenised']}); {cold['median_s']:.2f} s -> {warm['median_s']:.2f} s",
                     f"{warm['speedup']:.1f}x", warm["tokenised"] == 0))
    dask = load("dask_path")
    if dask:
        rows.append(("Dask path (dask.bag on LocalCluster) gives identical counts",
                     f"{dask['rows'][0]['mb_per_s']:.1f} MB/s vs {dask['rows'][1]['mb_per_s']:.1f} MB/s local",
                     "", dask["identical"]))
    return rows


def main() -> str:
    rows = table()
    machines: dict[str, list[str]] = {}
    for path in sorted(common.RESULTS.glob("*.json")):
        result = json.loads(path.read_text(encoding="utf-8"))
        if not (isinstance(result, dict) and "benchmark" in result):  # not a benchmark's results
            continue
        m = result.get("machine", {})
        key = f"{m.get('cpus')} cores ({m.get('cpu')}), {m.get('memory_gb')} GiB, Python {m.get('python')}"
        machines.setdefault(key, []).append(path.stem)
    where = "; ".join(f"{', '.join(names)}: {key}" for key, names in machines.items())
    lines = ["# Benchmark results", "",
             f"Written by `python benchmarks/report.py` from `benchmarks/results/*.json`. Machines: {where}.", "",
             "| target | measured | ratio | met |", "|---|---|---|---|"]
    mark = {True: "yes", False: "**no**", None: ""}
    lines += [f"| {t} | {m} | {r} | {mark[ok]} |" for t, m, r, ok in rows]
    text = "\n".join(lines) + "\n"
    from analysis.files import write_atomic

    out = common.HERE / "RESULTS.md" if common.RESULTS == common.HERE / "results" else common.RESULTS / "RESULTS.md"
    write_atomic(out, text)
    print(text)
    return text


if __name__ == "__main__":
    main()
