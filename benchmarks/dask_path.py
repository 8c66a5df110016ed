"""The Dask path: counting partitioned JSONL with dask.bag on a LocalCluster, vs count_texts.

    python benchmarks/dask_path.py [--scale 50] [--partitions 16] [--repeats 3]

Writes the grown convention corpus as ``--partitions`` JSONL files, counts them with
``analysis.distributed.count_jsonl`` on a ``distributed.LocalCluster`` (one single-threaded
worker process per core) and with ``analysis.counting.count_texts`` on the same texts, checks
that the counts are identical, and prints the throughput of each. On one machine Dask adds
scheduling and serialisation; its point is that the same map and reduce run on many machines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from analysis.counting import count_texts  # noqa: E402
from analysis.distributed import count_jsonl  # noqa: E402


def write_partitions(folder: Path, articles: list[common.Article], partitions: int) -> str:
    """Write the articles as ``partitions`` JSONL files in order; return their glob."""
    size = -(-len(articles) // partitions)
    for p in range(partitions):
        lines = [json.dumps({"id": a.article_id, "party": a.party, "text": a.text}, ensure_ascii=False)
                 for a in articles[p * size:(p + 1) * size]]
        (folder / f"part-{p:04d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(folder / "part-*.jsonl")


def same(a, b) -> bool:
    """Return whether two count results are identical."""
    if a[0].tolist() != b[0].tolist():
        return False
    return all(list(a[1][k].terms) == list(b[1][k].terms) and (a[1][k].matrix != b[1][k].matrix).nnz == 0
               for k in a[1])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    from distributed import Client, LocalCluster

    articles = common.load_grown(args.scale * common.BASE_SIZE)
    size = common.megabytes(a.text for a in articles)
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp, \
            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        pattern = write_partitions(Path(tmp), articles, args.partitions)
        dask_times, local_times = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            via_dask = count_jsonl(pattern, client=client)
            dask_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            local = count_texts([a.text for a in articles])
            local_times.append(time.perf_counter() - start)
        identical = same(via_dask, local)
    rows = [{"path": f"dask.bag, LocalCluster {workers} workers", "median_s": common.median(dask_times),
             "mb_per_s": size / common.median(dask_times)},
            {"path": f"count_texts, {workers} processes", "median_s": common.median(local_times),
             "mb_per_s": size / common.median(local_times)}]
    print(f"{len(articles)} articles, {size:.1f} MB in {args.partitions} JSONL partitions; identical counts: {identical}")
    common.print_table(rows, ["path", "median_s", "mb_per_s"])
    if not identical:
        raise SystemExit("the Dask path and count_texts disagree")
    payload = {"articles": len(articles), "megabytes": size, "partitions": args.partitions, "identical": identical,
               "rows": rows, "versions": common.versions("dask", "distributed")}
    print(f"wrote {common.write_results('dask_path', payload)}")
    return payload


if __name__ == "__main__":
    main()
