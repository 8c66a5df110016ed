"""Count many texts: ngrams-v1 features mapped over chunks in parallel, reduced to sparse matrices.

The work partitions as map/reduce (see ``benchmarks/SCALING.md``):

* **map** (:func:`count_chunk`): tokenise a chunk of texts, give each word a chunk-local id, and
  count words and word pairs per text with numpy (a pair is a pair of word ids, never a
  string). Chunks are independent, so they run on all cores (worker processes forked from this
  one, which read the texts from memory they share with it instead of receiving copies) or on a
  cluster (``analysis.distributed``).
* **reduce** (:func:`merge_chunks`): merge the chunks' word lists into one vocabulary, renumber
  pairs as pairs of global word ids, sort both vocabularies alphabetically and stack the blocks
  in input order. Only words are merged as strings; pairs stay integers until their final
  strings are built once at the end.

The result equals, term for term and count for count, what :func:`analysis.load_corpus` builds
from the same texts with :func:`analysis.features.featurize` (the tests check it), and is
deterministic whatever the number of workers or the chunk size.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from itertools import islice

import numpy as np
import pandas as pd
from scipy import sparse

from .features import BOUNDARY_CHARS, KINDS, items as token_items, normalise, quoted_phrases_at
from .errors import ParameterError

COUNT_DTYPE = np.int32  # a count within one article; sums over articles upcast to int64
Block = tuple[np.ndarray, np.ndarray, np.ndarray]  # CSR indptr, indices, data


@dataclass(frozen=True)
class TermCounts:
    """An article x term count matrix (scipy CSR, accepted by scikit-learn) with its labels."""

    matrix: sparse.csr_matrix
    terms: np.ndarray
    article_ids: tuple[str, ...]

    @cached_property
    def _is_sorted(self) -> bool:
        """True when the terms are in code-point order (every constructor here makes them so)."""
        return bool(len(self.terms) < 2 or all(a < b for a, b in zip(self.terms[:-1], self.terms[1:])))

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Return the (start, stop) positions of the terms beginning with ``prefix`` (all terms if unsorted)."""
        if not prefix or not self._is_sorted:
            return 0, len(self.terms)
        return (int(np.searchsorted(self.terms, prefix)),
                int(np.searchsorted(self.terms, prefix + "\U0010ffff")))

    def take(self, rows: np.ndarray) -> TermCounts:
        """Return the counts of the given row positions, dropping terms none of them uses."""
        sub = self.matrix[rows]
        used = np.flatnonzero(sub.getnnz(axis=0))
        ids = tuple(self.article_ids[i] for i in rows)
        return TermCounts(sub[:, used].tocsr(), self.terms[used], ids)

    def with_row(self, position: int, counts: dict[str, int]) -> TermCounts:
        """Return the counts with one article's row replaced by a term -> count map (unused terms dropped).

        Linear in the stored counts: the terms are sorted, so new terms are merged in by
        position and no other row is re-sorted.
        """
        m = self.matrix.tocsr()
        new = np.array(sorted(counts), dtype=object)
        at = np.searchsorted(self.terms, new) if len(self.terms) else np.zeros(len(new), dtype=np.int64)
        known = (at < len(self.terms)) & (self.terms[np.minimum(at, len(self.terms) - 1)] == new) if len(self.terms) else np.zeros(len(new), dtype=bool)
        inserted = at[~known]  # where the missing terms go among the old ones (sorted, since ``new`` is)
        old_to_all = np.arange(len(self.terms)) + np.searchsorted(inserted, np.arange(len(self.terms)), side="right")
        terms = np.empty(len(self.terms) + len(inserted), dtype=object)
        terms[old_to_all] = self.terms
        new_cols = np.empty(len(new), dtype=np.int64)
        new_cols[known] = old_to_all[at[known]]
        new_cols[~known] = inserted + np.arange(len(inserted))
        terms[new_cols[~known]] = new[~known]
        start, stop = m.indptr[position], m.indptr[position + 1]
        indices = np.concatenate([old_to_all[m.indices[:start]], new_cols, old_to_all[m.indices[stop:]]])
        data = np.concatenate([m.data[:start], np.array([counts[t] for t in new], dtype=m.dtype), m.data[stop:]])
        indptr = m.indptr.copy()
        indptr[position + 1:] += len(new) - (stop - start)
        used = np.bincount(indices, minlength=len(terms)) > 0
        if not used.all():  # terms only the old row had
            indices = (np.cumsum(used) - 1)[indices]
            terms = terms[used]
        matrix = sparse.csr_matrix((data, indices, indptr), shape=(m.shape[0], len(terms)))
        return TermCounts(matrix, terms, self.article_ids)

    def to_frame(self) -> pd.DataFrame:
        """Return the counts as a tidy table: article_id, term, count (only non-zero)."""
        coo = self.matrix.tocoo()
        frame = pd.DataFrame({
            "article_id": np.asarray(self.article_ids, dtype=object)[coo.row],
            "term": self.terms[coo.col],
            "count": coo.data,
        })
        return frame.sort_values(["article_id", "term"], ignore_index=True)

    def vocabulary(self) -> dict[str, int]:
        """Return term -> column position, as scikit-learn's ``vocabulary_``."""
        return {term: i for i, term in enumerate(self.terms)}


@dataclass
class ChunkCounts:
    """One chunk's counts over chunk-local vocabularies.

    ``words`` and ``quoted`` are newline-joined strings (no term holds a newline: it splits
    segments), which pickle 20x faster between processes than lists of strings. Bigram ``j``
    of the chunk is the word pair (``pair_first[j]``, ``pair_second[j]``).
    """

    n_tokens: np.ndarray
    words: str
    quoted: str
    pair_first: np.ndarray
    pair_second: np.ndarray
    blocks: dict[str, Block]


def _new_vocabulary() -> defaultdict:
    """Return a dict that gives each new key the next integer (scikit-learn's idiom)."""
    vocabulary: defaultdict = defaultdict()
    vocabulary.default_factory = vocabulary.__len__
    return vocabulary


def _split(joined: str) -> list[str]:
    return joined.split("\n") if joined else []


def _csr_counts(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> Block:
    """Return the CSR block counting each (row, col) occurrence."""
    keys, counts = np.unique(rows.astype(np.int64) * max(n_cols, 1) + cols, return_counts=True)
    indptr = np.searchsorted(keys // max(n_cols, 1), np.arange(n_rows + 1)).astype(np.int64)
    return indptr, (keys % max(n_cols, 1)).astype(np.int32), counts.astype(np.int32)


_SEPARATOR = "QQ"  # joins a chunk's lowered texts: lower() leaves no "Q", so no text yields this token


def _tokenise(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str], Block, str]:
    """Return (item ids, text row of each item, item strings, quoted block, quoted phrases) of a chunk.

    The chunk's texts are lowered one by one, then joined on a line ``QQ`` of their own and
    tokenised in one regular-expression pass: the line breaks around the separator end a
    segment, as a text's end does, so the items are each text's own (``tests/test_counting.py``
    checks this against :func:`analysis.features.featurize`), and short texts (posts, reviews,
    sentences) cost one pass per chunk, not one per text.
    """
    lowered = [normalise(text) for text in texts]
    joined = "\nQQ\n".join(lowered)
    items = _new_vocabulary()
    items[_SEPARATOR]  # id 0
    found = token_items(joined)
    ids = np.fromiter(map(items.__getitem__, found), dtype=np.int64, count=len(found))
    separator = ids == 0
    rows = np.cumsum(separator)[~separator]
    # Quotations never span a line, so one scan of the joined texts finds each text's own.
    starts = np.cumsum([0] + [len(text) + 4 for text in lowered[:-1]])
    quoted_rows, phrases = [], []
    for position, phrase in quoted_phrases_at(joined):
        quoted_rows.append(int(np.searchsorted(starts, position, side="right")) - 1)
        phrases.append(phrase)
    quoted = _new_vocabulary()
    phrase_ids = np.fromiter(map(quoted.__getitem__, phrases), dtype=np.int64, count=len(phrases))
    q_block = _csr_counts(np.asarray(quoted_rows, dtype=np.int64), phrase_ids, len(texts), len(quoted))
    names = list(items)
    names[0] = "\n"  # the separator is a boundary, not a word
    return ids[~separator], rows, names, q_block, "\n".join(quoted)


def count_chunk(texts: Sequence[str]) -> ChunkCounts:
    """Return the ngrams-v1 counts of a chunk of texts over chunk-local vocabularies (the map step).

    The tokens of all segments come from one regular-expression pass with the segment
    boundaries between them (as in :func:`analysis.features.featurize`); a pair counts when
    both items are words of the same text.
    """
    ids, rows, items, q_block, quoted = _tokenise(texts)
    is_word = np.fromiter((t[0] not in BOUNDARY_CHARS for t in items), dtype=bool, count=len(items))
    words = [t for t, w in zip(items, is_word) if w]
    # Local word ids in alphabetical order, so pair codes sort alphabetically too and every
    # row's columns stay sorted under the (order-preserving) global renumbering.
    word_id = np.zeros(len(items), dtype=np.int64)
    word_id[np.flatnonzero(is_word)] = _alphabetical_rank(words)
    words.sort()
    keep = is_word[ids]
    unigrams = _csr_counts(rows[keep], word_id[ids[keep]], len(texts), len(words))
    pair = keep[:-1] & keep[1:] & (rows[:-1] == rows[1:])
    first, second = word_id[ids[:-1][pair]], word_id[ids[1:][pair]]
    codes, local_pair = np.unique(first * max(len(words), 1) + second, return_inverse=True)
    bigrams = _csr_counts(rows[:-1][pair], local_pair.ravel(), len(texts), len(codes))
    n_tokens = np.bincount(rows[keep], minlength=len(texts)).astype(np.int64)
    return ChunkCounts(n_tokens, "\n".join(words), quoted,
                       (codes // max(len(words), 1)).astype(np.int32), (codes % max(len(words), 1)).astype(np.int32),
                       {"unigrams": unigrams, "bigrams": bigrams, "quoted": q_block})


class _Merger:
    """The reduce step's state: global vocabularies and the renumbered blocks, in input order.

    Words are merged as strings while chunks arrive. Pairs wait as (global word id, global
    word id) arrays until the end, when one np.unique over all chunks' pair codes, built from
    the words' alphabetical ranks, gives every pair its column in alphabetical order.
    """

    def __init__(self):
        self.words, self.quoted = _new_vocabulary(), _new_vocabulary()
        self.pair_first, self.pair_second = [], []
        self.blocks = {kind: [] for kind in KINDS}
        self.n_tokens = []

    def add(self, chunk: ChunkCounts) -> None:
        words = _split(chunk.words)
        to_word = np.fromiter(map(self.words.__getitem__, words), dtype=np.int64, count=len(words))
        self.pair_first.append(to_word[chunk.pair_first].astype(np.int32))
        self.pair_second.append(to_word[chunk.pair_second].astype(np.int32))
        phrases = _split(chunk.quoted)
        to_quoted = np.fromiter(map(self.quoted.__getitem__, phrases), dtype=np.int64, count=len(phrases))
        for kind, mapping in (("unigrams", to_word), ("quoted", to_quoted)):
            indptr, indices, data = chunk.blocks[kind]
            self.blocks[kind].append((indptr, mapping.astype(np.int32)[indices], data))
        self.blocks["bigrams"].append(chunk.blocks["bigrams"])  # chunk-local pair ids, for now
        self.n_tokens.append(chunk.n_tokens)

    def _pairs(self, word_rank: np.ndarray, n_words: int) -> np.ndarray:
        """Renumber the bigram blocks to global pair columns; return the sorted pair codes."""
        sizes = [len(f) for f in self.pair_first]
        first = word_rank[np.concatenate(self.pair_first)] if sizes else np.zeros(0, dtype=np.int64)
        second = word_rank[np.concatenate(self.pair_second)] if sizes else np.zeros(0, dtype=np.int64)
        self.pair_first = self.pair_second = None
        # "a b" sorts as (a, b) does: every token character sorts after the space.
        codes, column = np.unique(first * max(n_words, 1) + second, return_inverse=True)
        del first, second
        column = column.ravel().astype(np.int32)
        starts = np.cumsum([0] + sizes)
        blocks = self.blocks["bigrams"]
        for i, (indptr, indices, data) in enumerate(blocks):
            blocks[i] = (indptr, column[starts[i]:starts[i + 1]][indices], data)
        return codes

    def result(self, article_ids: Sequence[str] | None = None) -> tuple[np.ndarray, dict[str, TermCounts]]:
        n_rows = int(sum(len(n) for n in self.n_tokens))
        words, quoted = list(self.words), list(self.quoted)
        self.words = self.quoted = None  # free the lookup tables before stacking
        word_rank = _alphabetical_rank(words)
        sorted_words = np.empty(len(words), dtype=object)
        sorted_words[word_rank] = words
        codes = self._pairs(word_rank, len(words))
        pair_terms = np.empty(len(codes), dtype=object)
        n = max(len(words), 1)
        pair_terms[:] = list(map(" ".join, zip(sorted_words[codes // n], sorted_words[codes % n])))
        quoted_rank = _alphabetical_rank(quoted)
        sorted_quoted = np.empty(len(quoted), dtype=object)
        sorted_quoted[quoted_rank] = quoted
        ids = _row_ids(article_ids, n_rows)
        result = {kind: TermCounts(_stack(self.blocks[kind], rank, n_rows, sorted_rows=kind != "quoted"), terms, ids)
                  for kind, rank, terms in (("unigrams", word_rank, sorted_words),
                                            ("bigrams", np.arange(len(codes)), pair_terms),
                                            ("quoted", quoted_rank, sorted_quoted))}
        n_tokens = np.concatenate(self.n_tokens) if self.n_tokens else np.zeros(0, dtype=np.int64)
        return n_tokens, result


def _row_ids(article_ids: Sequence[str] | None, n_rows: int) -> tuple[str, ...]:
    """Return the row labels: the ids given (one per text), or the row numbers as strings."""
    if article_ids is None:
        return tuple(map(str, range(n_rows)))
    ids = tuple(article_ids)
    if len(ids) != n_rows:
        raise ParameterError(f"got {len(ids)} article ids for {n_rows} texts")
    return ids


def _alphabetical_rank(terms: list[str]) -> np.ndarray:
    """Return each term's position in alphabetical order."""
    rank = np.empty(len(terms), dtype=np.int64)
    rank[sorted(range(len(terms)), key=terms.__getitem__)] = np.arange(len(terms))
    return rank


def stack_counts(parts: Sequence[TermCounts], article_ids: Sequence[str]) -> TermCounts:
    """Return the rows of several TermCounts (over different terms) as one, in ``article_ids`` order."""
    parts = [p for p in parts if p.matrix.shape[0]]
    terms = np.unique(np.concatenate([np.asarray(p.terms, dtype=object) for p in parts])) if parts else np.array([], dtype=object)
    blocks, ids = [], []
    for p in parts:
        m = p.matrix.tocsr()
        to_all = np.searchsorted(terms, np.asarray(p.terms, dtype=object))
        blocks.append(sparse.csr_matrix((m.data, to_all[m.indices], m.indptr), shape=(m.shape[0], len(terms))))
        ids += list(p.article_ids)
    stacked = sparse.vstack(blocks, format="csr") if blocks else sparse.csr_matrix((0, 0), dtype=COUNT_DTYPE)
    row = {a: i for i, a in enumerate(ids)}
    return TermCounts(stacked[[row[a] for a in article_ids]].tocsr(), terms, tuple(article_ids))


def matrix_from_maps(maps: Sequence[dict[str, int]]) -> tuple:
    """Return (CSR counts, sorted terms) of per-article term -> count maps (features documents).

    What scikit-learn's DictVectorizer(sort=True) gives, 10x faster on count maps.
    """
    vocab = _new_vocabulary()
    indices, data, indptr = [], [], [0]
    for counts in maps:
        indices.extend(map(vocab.__getitem__, counts))
        data.extend(counts.values())
        indptr.append(len(indices))
    terms = list(vocab)
    rank = _alphabetical_rank(terms)
    block = (np.asarray(indptr, dtype=np.int64), np.asarray(indices, dtype=np.int64), np.asarray(data, dtype=COUNT_DTYPE))
    sorted_terms = np.empty(len(terms), dtype=object)
    sorted_terms[rank] = terms
    return _stack([block], rank, len(maps)), sorted_terms


def merge_chunks(chunks: Iterable[ChunkCounts],
                 article_ids: Sequence[str] | None = None) -> tuple[np.ndarray, dict[str, TermCounts]]:
    """Return (n_tokens, {kind: TermCounts}) of chunks in order (the reduce step)."""
    merger = _Merger()
    for chunk in chunks:
        merger.add(chunk)
    return merger.result(article_ids)


def _stack(parts: list[Block], rank: np.ndarray, n_rows: int, sorted_rows: bool = False):
    """Return the row-stacked CSR blocks with columns renumbered by ``rank``, indices sorted.

    ``sorted_rows``: the blocks' rows are sorted and ``rank`` keeps their order, so the result
    needs no sorting.
    """
    offsets = np.cumsum([0] + [p[0][-1] for p in parts])
    nnz = int(offsets[-1])
    index_dtype = np.int32 if max(nnz, len(rank)) < 2**31 else np.int64
    indptr = np.concatenate([np.zeros(1, dtype=np.int64)] + [p[0][1:] + off for p, off in zip(parts, offsets)])
    rank = rank.astype(index_dtype)
    indices = np.empty(nnz, dtype=index_dtype)  # filled part by part: no int64 copy of all indices
    data = np.empty(nnz, dtype=COUNT_DTYPE)
    for i, (start, stop) in enumerate(zip(offsets[:-1], offsets[1:])):
        _, part_indices, part_data = parts[i]
        indices[start:stop] = rank[part_indices]
        data[start:stop] = part_data
        parts[i] = None  # free each block once copied: the blocks and the result never both whole
    matrix = sparse.csr_matrix((data, indices, indptr.astype(index_dtype)), shape=(n_rows, len(rank)), copy=False)
    if sorted_rows:
        matrix.has_sorted_indices = True
    else:
        matrix.sort_indices()
    return matrix


_SHARED: Sequence[str] = ()  # the texts forked workers read (set only around a parallel map)


def _count_shared(bounds: tuple[int, int]) -> ChunkCounts:
    """Map step in a forked worker: count ``_SHARED[start:stop]``."""
    return count_chunk(_SHARED[bounds[0]:bounds[1]])


def resolve_jobs(n_jobs: int | None) -> int:
    """Return the number of worker processes n_jobs asks for (None or -1: all cores)."""
    cores = os.cpu_count() or 1
    if n_jobs is None or n_jobs == -1:
        return cores
    if n_jobs == 0 or n_jobs < -1:
        raise ParameterError(f"n_jobs must be a positive number of processes or -1 (all cores), not {n_jobs}")
    return n_jobs


def _parallel_map(texts: Sequence[str], bounds: list[tuple[int, int]], jobs: int) -> Iterable[ChunkCounts]:
    """Yield the chunks' counts in order, computed by ``jobs`` worker processes."""
    global _SHARED
    if "fork" in multiprocessing.get_all_start_methods():
        _SHARED = texts
        try:
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=gc.disable) as pool:
                yield from pool.map(_count_shared, bounds)
        finally:
            _SHARED = ()
    else:  # spawn (Windows, macOS): send each worker its chunk
        with ProcessPoolExecutor(jobs) as pool:
            yield from pool.map(count_chunk, [texts[a:b] for a, b in bounds])


def _streamed_map(chunks: Iterator[list[str]], jobs: int) -> Iterable[ChunkCounts]:
    """Yield the counts of chunks read lazily, in order, keeping at most 2 x jobs chunks in flight."""
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        pending = deque(pool.submit(count_chunk, chunk) for chunk in islice(chunks, 2 * jobs))
        while pending:
            result = pending.popleft().result()
            for chunk in islice(chunks, 1):
                pending.append(pool.submit(count_chunk, chunk))
            yield result


def _batches(texts: Iterable[str], size: int, chars: int) -> Iterator[list[str]]:
    """Yield consecutive texts in chunks of at most ``size`` texts, each ending once it holds ``chars`` characters."""
    batch, held = [], 0
    for text in texts:
        batch.append(text)
        held += len(text)
        if len(batch) >= size or held >= chars:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _bounds(texts: Sequence[str], size: int, chars: int) -> list[tuple[int, int]]:
    """Return the (start, stop) of :func:`_batches`'s chunks of a list of texts."""
    bounds, start, held = [], 0, 0
    for i, text in enumerate(texts):
        held += len(text)
        if i + 1 - start >= size or held >= chars:
            bounds.append((start, i + 1))
            start, held = i + 1, 0
    if start < len(texts):
        bounds.append((start, len(texts)))
    return bounds


def count_texts(texts: Iterable[str], *, article_ids: Sequence[str] | None = None, n_jobs: int | None = -1,
                chunk_size: int = 5_000, chunk_chars: int = 500_000,
                progress: bool = False) -> tuple[np.ndarray, dict[str, TermCounts]]:
    """Return (n_tokens per text, {kind: article x term TermCounts}) of many texts.

    Args:
        texts: article bodies, in row order. A list is shared with forked workers without
            copying; any other iterable (a generator reading files, say) is read lazily, a few
            chunks ahead of the workers, so the texts never need to be in memory at once.
        n_jobs: worker processes for the map step (-1 or None: all cores; 1: this process).
        article_ids: the row labels of the counts (default: "0", "1", ... in input order).
        chunk_size, chunk_chars: a map task takes consecutive texts until it has ``chunk_size``
            texts or ``chunk_chars`` characters (about 125 speeches, or 5,000 short posts: each
            task is worth sending to a worker). Results do not depend on them.
        progress: show a tqdm progress bar over chunks.
    """
    jobs = resolve_jobs(n_jobs)
    if isinstance(texts, (list, tuple)):
        bounds = _bounds(texts, chunk_size, chunk_chars)
        total = len(bounds)
        if jobs == 1 or len(bounds) < 2:
            mapped = (count_chunk(texts[a:b]) for a, b in bounds)
        else:
            mapped = _parallel_map(texts, bounds, min(jobs, len(bounds)))
    else:
        total = None
        batches = _batches(texts, chunk_size, chunk_chars)
        mapped = map(count_chunk, batches) if jobs == 1 else _streamed_map(batches, jobs)
    if progress:
        from tqdm import tqdm  # plain text: the same in a terminal, JupyterLab and a saved notebook

        mapped = tqdm(mapped, total=total, desc="featurising", unit="chunk", mininterval=2.0)
    return merge_chunks(mapped, article_ids)
