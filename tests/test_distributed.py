"""The Dask path (dask.bag over partitioned JSONL on a LocalCluster) gives count_texts' counts."""

from __future__ import annotations

import json

import pytest

from analysis.counting import count_texts

from .test_counting import TEXTS

pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def write_partitions(tmp_path, texts, per_file):
    paths = []
    for i in range(0, len(texts), per_file):
        path = tmp_path / f"part-{i // per_file:03d}.jsonl"
        path.write_text("".join(json.dumps({"id": j, "text": t}, ensure_ascii=False) + "\n"
                                for j, t in enumerate(texts[i:i + per_file], start=i)), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_dask_counts_equal_count_texts(tmp_path, client):
    from analysis.distributed import count_jsonl

    texts = TEXTS * 3
    paths = write_partitions(tmp_path, texts, per_file=4)
    n_tokens, counts = count_jsonl(str(tmp_path / "part-*.jsonl"), client=client)
    expected_tokens, expected = count_texts(texts, n_jobs=1)
    assert n_tokens.tolist() == expected_tokens.tolist()
    assert len(paths) == 5 and n_tokens.tolist()[:2] == expected_tokens.tolist()[:2]
    for kind, tc in expected.items():
        assert list(counts[kind].terms) == list(tc.terms)
        assert (counts[kind].matrix != tc.matrix).nnz == 0


def test_dask_without_a_client_uses_the_default_scheduler(tmp_path):
    from analysis.distributed import count_jsonl

    write_partitions(tmp_path, TEXTS, per_file=2)
    n_tokens, counts = count_jsonl(str(tmp_path / "*.jsonl"))
    assert n_tokens.tolist() == count_texts(TEXTS, n_jobs=1)[0].tolist()
