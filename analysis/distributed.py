"""Counting beyond one machine: the map/reduce of :mod:`analysis.counting` on Dask.

``dask.bag`` reads partitioned JSONL (one article per line, a ``text`` field), each partition
is one map task (:func:`analysis.counting.count_chunk`) on whichever worker the scheduler
picks, and the client reduces the chunks in partition order (:func:`merge_chunks`). With a
``distributed`` client (a ``LocalCluster`` here, a cluster of machines elsewhere) the same
code runs unchanged. Dask is optional: ``pip install 'framediff[dask]'``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from .counting import ChunkCounts, TermCounts, count_chunk, merge_chunks


def _texts(lines: Sequence[str], field: str) -> list[str]:
    return [json.loads(line)[field] for line in lines if line.strip()]


def _count_partition(lines: Sequence[str], field: str) -> list[ChunkCounts]:
    """Map one partition of JSONL lines to its counts (a one-item list, as dask.bag expects)."""
    return [count_chunk(_texts(lines, field))]


def count_jsonl(paths: str | Sequence[str], *, field: str = "text", client=None,
                blocksize: str | int | None = None) -> tuple[np.ndarray, dict[str, TermCounts]]:
    """Return (n_tokens, {kind: TermCounts}) of the articles in JSONL files, via Dask (rows numbered from 0).

    Rows follow the files in order and the lines within them, as :func:`count_texts` on the
    same texts would give them, and the counts are identical to it.

    Args:
        paths: a JSONL path, glob, or list of them (local or any fsspec URL Dask can read).
        field: the JSON field holding the article text.
        client: a ``dask.distributed.Client`` to compute on (None: Dask's default scheduler).
        blocksize: split files into partitions of this many bytes (None: one per file).
    """
    try:
        import dask.bag as db
    except ImportError as exc:
        raise ImportError("the Dask path needs dask: pip install 'framediff[dask]'") from exc
    bag = db.read_text(paths, blocksize=blocksize)
    chunks = bag.map_partitions(_count_partition, field)
    if client is not None:
        futures = client.compute(chunks.to_delayed())
        return merge_chunks(chunk for future in futures for chunk in future.result())
    return merge_chunks(chunks.compute())
