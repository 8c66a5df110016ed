"""Text similarity, clustering order, 2-D maps, and wire-copy detection with de-duplication."""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform

from .corpus import Corpus
from .errors import ParameterError
from .features import featurize, without_quotations
from .files import keep_arrays, prune_files
from .schema import most_common

def _pairs(matrix: np.ndarray, ids, name: str) -> pd.DataFrame:
    """Return the upper triangle of a square matrix as tidy pairs, best first, ties by ids."""
    i, j = np.triu_indices(len(ids), k=1)
    ids = np.asarray(ids, dtype=object)
    frame = pd.DataFrame({"article_id_a": ids[i], "article_id_b": ids[j], name: matrix[i, j]})
    return frame.sort_values([name, "article_id_a", "article_id_b"], ascending=[False, True, True],
                             ignore_index=True)


def cosine_similarity(matrix) -> np.ndarray:
    """Return scikit-learn's cosine similarity of the rows (imported on first use: notebooks that never
    compare articles start faster, which matters when a report runs 60 kernels)."""
    from sklearn.metrics.pairwise import cosine_similarity as cosine

    return cosine(matrix)


def similarity_matrix(tfidf: sparse.spmatrix, article_ids) -> pd.DataFrame:
    """Return the article x article cosine similarity of TF-IDF vectors, labelled by id."""
    sim = cosine_similarity(tfidf)
    np.fill_diagonal(sim, 1.0)
    return pd.DataFrame(sim, index=list(article_ids), columns=list(article_ids))


def similarity_pairs(tfidf: sparse.spmatrix, article_ids) -> pd.DataFrame:
    """Return one row per article pair: article_id_a, article_id_b, similarity (cosine)."""
    return _pairs(cosine_similarity(tfidf), list(article_ids), "similarity")


ALL_PAIRS_UP_TO = 2_000  # articles; above, a similarity table keeps each article's nearest neighbours


def similarity_table(tfidf: sparse.spmatrix, article_ids, k: int = 20,
                     all_pairs_up_to: int = ALL_PAIRS_UP_TO) -> pd.DataFrame:
    """Return similarity pairs as :func:`similarity_pairs` does: every pair up to ``all_pairs_up_to``
    articles; above, each article's ``k`` nearest (:func:`nearest_neighbours`, each pair once), so the
    table grows as n·k, not n² (20,000 articles: 200 million pairs otherwise)."""
    ids = list(article_ids)
    if len(ids) <= all_pairs_up_to:
        return similarity_pairs(tfidf, ids)
    near = nearest_neighbours(tfidf, ids, k=k)
    a, b = near["article_id"].to_numpy(dtype=object), near["neighbour_id"].to_numpy(dtype=object)
    first = np.where(a < b, a, b)
    second = np.where(a < b, b, a)
    frame = pd.DataFrame({"article_id_a": first, "article_id_b": second, "similarity": near["similarity"].to_numpy()})
    frame = frame.drop_duplicates(["article_id_a", "article_id_b"])
    return frame.sort_values(["similarity", "article_id_a", "article_id_b"], ascending=[False, True, True],
                             ignore_index=True)


def _normalised(tfidf: sparse.spmatrix) -> sparse.csr_matrix:
    """Return the rows scaled to unit length (zero rows stay zero), as cosine similarity reads them."""
    from sklearn.preprocessing import normalize

    return normalize(sparse.csr_matrix(tfidf, dtype=np.float64), norm="l2")


def mean_similarity(tfidf: sparse.spmatrix, labels) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (mean cosine similarity, number of pairs averaged) between each pair of labels (square, sorted labels).

    Exact without an article x article matrix: the mean over pairs of a's and b's articles is
    the dot product of their summed unit vectors over n_a n_b; within a label an article is
    not paired with itself (its own similarity, 1 or 0 for an empty row, is taken out).
    """
    unit = _normalised(tfidf)
    labels = np.asarray(labels, dtype=object)
    names = sorted(set(labels))
    code = np.searchsorted(np.array(names, dtype=object), labels)
    member = sparse.csr_matrix((np.ones(len(labels)), (code, np.arange(len(labels)))), shape=(len(names), len(labels)))
    sums = member @ unit
    dots = np.asarray((sums @ sums.T).todense())
    n = np.asarray(member.sum(axis=1)).ravel()
    own = np.bincount(code, weights=np.asarray(unit.multiply(unit).sum(axis=1)).ravel(), minlength=len(names))
    pairs = np.outer(n, n) - np.diag(n)
    means = np.where(pairs > 0, (dots - np.diag(own)) / np.maximum(pairs, 1), np.nan)
    return pd.DataFrame(means, index=names, columns=names), pd.DataFrame(pairs, index=names, columns=names)


def group_similarity(tfidf: sparse.spmatrix, labels) -> pd.DataFrame:
    """Return the mean cosine similarity of articles between (and within) groups.

    Within a group, an article is not paired with itself; ``n_pairs`` counts the pairs averaged.
    Linear in the articles (:func:`mean_similarity`).
    """
    means, pairs = mean_similarity(tfidf, labels)
    rows = [(a, b, float(means.loc[a, b]), int(pairs.loc[a, b])) for a in means.index for b in means.columns]
    return pd.DataFrame(rows, columns=["group_a", "group_b", "similarity", "n_pairs"])


@dataclass
class SimilarityView:
    """What the similarity heatmap and dendrogram draw: articles, or above a size, outlets.

    ``units`` has one row per unit (``article_id`` is the unit's id, ``label``, the grouping
    column); ``matrix`` their similarity, ``linkage`` their average-linkage tree (rows in
    ``units`` order), ``order`` its leaf order; ``note`` says why outlets are shown ("" for articles).
    """

    unit: str
    units: pd.DataFrame
    matrix: pd.DataFrame
    linkage: np.ndarray
    order: list
    title: str
    note: str


def similarity_view(tfidf: sparse.spmatrix, articles: pd.DataFrame, group_by: str = "group",
                    up_to: int = ALL_PAIRS_UP_TO) -> SimilarityView:
    """Return the article x article view up to ``up_to`` articles; above, outlets by their articles' mean similarity.

    ``articles`` are in the rows' order, with ``article_id``, ``label``, ``outlet_id``,
    ``outlet_name`` and ``group_by``. An outlet's group is its articles' most common value.
    """
    n = len(articles)
    if n <= up_to:
        ids = list(articles["article_id"])
        matrix = similarity_matrix(tfidf, ids)
        tree = cluster_linkage(tfidf) if n >= 2 else np.zeros((0, 4))
        order = [ids[i] for i in leaves_list(tree)] if n >= 3 else ids
        return SimilarityView("article", articles, matrix, tree, order,
                              f"Article similarity, clustered (n = {n} articles)", "")
    means, _ = mean_similarity(tfidf, articles["outlet_id"])
    units = _outlet_units(articles, means.index, group_by)
    distance = np.clip(1.0 - means.to_numpy(), 0, None)
    np.fill_diagonal(distance, 0.0)
    flat = squareform(np.nan_to_num(distance, nan=1.0), checks=False)
    tree = linkage(flat, method="average") if len(units) >= 2 else np.zeros((0, 4))
    ids = list(units["article_id"])
    order = [ids[i] for i in leaves_list(tree)] if len(units) >= 3 else ids
    note = (f"{n:,} articles are too many for an article x article figure (more than {up_to:,}): the heatmap and "
            f"tree show the {len(units)} outlets, each cell the mean cosine similarity between their articles "
            "(the diagonal: between an outlet's own articles). similarity_pairs.csv keeps every article.")
    return SimilarityView("outlet", units, means, tree, order,
                          f"Outlet similarity: mean cosine of their articles ({n:,} articles, {len(units)} outlets)", note)


def _outlet_units(articles: pd.DataFrame, outlets: pd.Index, group_by: str) -> pd.DataFrame:
    """Return one row per outlet (as ``article_id``): its articles, its most common ``group_by`` value, a label."""
    by_outlet = articles.groupby("outlet_id", sort=True)
    size = by_outlet.size().loc[outlets].to_numpy()
    group = by_outlet[group_by].agg(most_common).loc[outlets]
    names = by_outlet["outlet_name"].first().loc[outlets]
    return pd.DataFrame({"article_id": outlets, "n_articles": size, group_by: group.to_numpy(),
                         "label": [f"{name} ({k:,})" for name, k in zip(names, size)]})


def seed_neighbours(pairs: pd.DataFrame, seed_id: str, k: int = 5) -> pd.DataFrame:
    """Return the seed's k most similar articles: rank, article_id, similarity."""
    mine = pairs[(pairs["article_id_a"] == seed_id) | (pairs["article_id_b"] == seed_id)]
    if mine.empty:
        raise ParameterError(f"seed {seed_id!r} has no pairs (is it in the corpus?)")
    other = np.where(mine["article_id_a"] == seed_id, mine["article_id_b"], mine["article_id_a"])
    frame = pd.DataFrame({"article_id": other, "similarity": mine["similarity"].to_numpy()})
    frame = frame.sort_values(["similarity", "article_id"], ascending=[False, True], ignore_index=True).head(k)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame.insert(0, "seed_id", seed_id)
    return frame


def cluster_linkage(tfidf: sparse.spmatrix) -> np.ndarray:
    """Return the average-linkage hierarchy (scipy format) on cosine distance."""
    distance = 1.0 - cosine_similarity(tfidf)
    np.fill_diagonal(distance, 0.0)
    return linkage(squareform(np.clip(distance, 0, None), checks=False), method="average")


def cluster_order(tfidf: sparse.spmatrix, article_ids) -> list[str]:
    """Return the article ids in the leaf order of :func:`cluster_linkage`."""
    ids = list(article_ids)
    if len(ids) < 3:
        return ids
    return [ids[i] for i in leaves_list(cluster_linkage(tfidf))]


def projection(tfidf: sparse.spmatrix, article_ids, seed: int = 0) -> pd.DataFrame:
    """Return 2-D coordinates per article from TruncatedSVD of the TF-IDF matrix (LSA)."""
    if tfidf.shape[0] < 3 or tfidf.shape[1] < 3:
        raise ParameterError("a 2-D map needs at least 3 articles and 3 terms")
    from sklearn.decomposition import TruncatedSVD

    svd = TruncatedSVD(n_components=2, random_state=seed)
    xy = svd.fit_transform(tfidf)
    sign = np.sign(xy[np.abs(xy).argmax(axis=0), [0, 1]])  # fix the arbitrary SVD signs
    xy = xy * np.where(sign == 0, 1, sign)
    return pd.DataFrame({"article_id": list(article_ids), "x": xy[:, 0], "y": xy[:, 1]})


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_ALNUM = re.compile(r"[a-z0-9]")


def _skeleton(term: str) -> str:
    """Return a term with the non-ASCII letters of its Latin-script words dropped (``baþkaný`` ~ ``başkanı``).

    A page decoded with the wrong code page (Turkish windows-1254 read as windows-1252, Central
    European as Latin-1, ...) changes exactly those letters; words without an ASCII letter
    (Cyrillic, Greek, ...) are kept whole.
    """
    if term.isascii():
        return term
    return " ".join(_NON_ASCII.sub("", w) if _ASCII_ALNUM.search(w) else w for w in term.split(" "))


def folded_presence(corpus: Corpus) -> sparse.csr_matrix:
    """Return article x bigram-skeleton presence (0/1): each article's word pairs, robust to encoding damage."""
    return _folded(corpus)[0]


def _folded(corpus: Corpus) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Return (article x skeleton presence, the sorted skeletons naming its columns)."""
    terms = corpus.bigrams.terms
    keys, key = np.unique(np.array([_skeleton(t) for t in terms], dtype=object), return_inverse=True)
    fold = sparse.csr_matrix((np.ones(len(terms)), (np.arange(len(terms)), key)), shape=(len(terms), len(keys)))
    return ((corpus.bigrams.matrix > 0).astype(np.float64) @ fold > 0).astype(np.float64).tocsr(), keys


class CopyDetector:
    """Find wire copies and near-duplicates by rarity-weighted overlap of word-pair (bigram) sets.

    The score of two articles is a weighted overlap coefficient: the summed weights of the word
    pairs they share over the summed weights of the shorter text's pairs, each pair weighted
    by its rarity in the corpus, idf = log((n + 1) / df). Rare pairs (a copy's own sentences)
    count; pairs many articles share (names, stock phrases, a statement every outlet quotes)
    count little, so two reports quoting the same address are not linked by the quotation
    alone. Word pairs are compared after folding encoding damage (see :func:`_skeleton`), so a
    copy garbled by a wrong code page is still found. Articles at or above ``threshold`` are
    linked; clusters are the connected components. The default 0.4 is a definition: *two-fifths
    of what is distinctive in the shorter text recurs in the other*; independent reports of one
    event score at most 0.38 in the embedded corpus, apart from two that are mostly one quoted
    address (README: Methods). Where an article is held as text, quotations of more than 3 words
    (speech; the spec's scare quotes are shorter) can be seen: a pair is then linked only if the
    score is also at or above ``threshold`` on the word pairs outside them (an article held as
    features next to such a text sets aside what the text has only inside quotations), so two
    reports quoting one statement in their own words around it are not copies. Translations
    share no word pairs and are not detected; compare within a language.

    Attributes:
        pairs_: linked pairs (article_id_a, article_id_b, score, overlap (unweighted), shared,
            outside_quotations (the score without quoted speech; NaN when neither is held as a
            text with quotations), reason).
        set_aside_: pairs at or above ``threshold`` on all word pairs but not outside quotations.
        clusters_: one row per article: article_id, cluster, size, representative, is_representative.
    """

    def __init__(self, threshold: float = 0.4, fingerprint: int = 32, memory: str | Path | None = None):
        self.threshold = threshold
        self.fingerprint = fingerprint
        self.memory = memory

    def fit(self, corpus: Corpus) -> CopyDetector:
        """Score the candidate pairs of ``corpus`` exactly and cluster them; return self.

        Candidates come from an inverted index of fingerprints: each article's ``fingerprint``
        rarest word pairs among those another article also uses (lowest document frequency,
        ties by pair). Two articles are candidates when they share a fingerprint pair (a sparse
        product of the fingerprint index): no article x article matrix is made, so memory and
        time grow with the candidates, not n². A copy shares its rarest pairs with its original
        (both fingerprints pick them), so copies are always candidates. Each candidate is then
        scored exactly on all its pairs, and a linked one involving a text with quotations again
        on the pairs outside them. On the embedded corpus the links are those of scoring every
        pair (tested). With ``memory`` (a folder, as scikit-learn's Pipeline takes one) the
        scores are kept under a digest of everything they depend on (word pairs, texts, articles
        in order, settings, this code), so the notebooks of one study score once.
        """
        scored = self._remembered(corpus) if self.memory is not None else self._scored(corpus)
        ids = np.asarray(corpus.articles["article_id"], dtype=object)
        ia, ib = scored["ia"], scored["ib"]
        pairs = pd.DataFrame({"article_id_a": ids[ia], "article_id_b": ids[ib], "score": scored["score"],
                              "overlap": scored["overlap"], "shared": scored["shared"], "folded": scored["folded"],
                              "outside_quotations": scored["outside"]})
        speech = pairs["outside_quotations"].lt(self.threshold).to_numpy()  # NaN (nothing known) is not less
        ia, ib = ia[~speech], ib[~speech]
        pairs = _with_reasons(pairs.sort_values(["score", "article_id_a", "article_id_b"], ascending=[False, True, True]))
        self.set_aside_ = pairs[speech[pairs.index]].reset_index(drop=True)
        self.set_aside_["reason"] = [f"{r} (set aside: what they share is quoted speech, not copied prose)"
                                     for r in self.set_aside_["reason"]]
        self.pairs_ = pairs[~speech[pairs.index]].reset_index(drop=True)
        linked = sparse.csr_matrix((np.ones(len(ia)), (ia, ib)), shape=(len(ids), len(ids)))
        self.clusters_ = self._clusters(corpus, linked)
        return self

    def _scored(self, corpus: Corpus) -> dict[str, np.ndarray]:
        """Return the candidate pairs at or above the threshold: row positions ``ia``, ``ib`` and their measures."""
        present, keys = _folded(corpus)
        df = np.asarray(present.sum(axis=0)).ravel()
        idf = np.log((len(corpus.articles) + 1) / np.maximum(df, 1))
        weighted = present.multiply(idf).tocsr()
        own_w = np.asarray(weighted.sum(axis=1)).ravel()
        own_n = np.asarray(present.sum(axis=1)).ravel()
        prints = _fingerprints(present, df, self.fingerprint)
        ia, ib = sparse.triu(prints @ prints.T, k=1).nonzero()
        score = _rowwise(weighted, present, ia, ib) / np.maximum(np.minimum(own_w[ia], own_w[ib]), 1e-12)
        keep = score >= self.threshold
        ia, ib, score = ia[keep].astype(np.int64), ib[keep].astype(np.int64), score[keep]
        shared = _rowwise(present, present, ia, ib)
        raw = (corpus.bigrams.matrix > 0).astype(np.float64).tocsr()
        return {"ia": ia, "ib": ib, "score": score, "overlap": shared / np.maximum(np.minimum(own_n[ia], own_n[ib]), 1),
                "shared": shared.astype(np.int64), "folded": (shared - _rowwise(raw, raw, ia, ib)).astype(np.int64),
                "outside": _outside_quotations(corpus, present, keys, idf, ia, ib)}

    def _remembered(self, corpus: Corpus) -> dict[str, np.ndarray]:
        """Return :meth:`_scored` from ``memory`` if kept there, else score and keep it (a failed write is ignored)."""
        folder = Path(self.memory)
        path = folder / f"{self._digest(corpus)}.npz"
        try:
            with np.load(path, allow_pickle=False) as stored:
                kept = {name: stored[name] for name in stored.files}
            if set(kept) == set(_SCORED):
                return kept
        except (OSError, ValueError, zipfile.BadZipFile):  # not kept yet, or damaged: score again
            pass
        scored = self._scored(corpus)
        try:
            keep_arrays(path, scored)
            prune_files(folder, "*.npz", KEPT_SCORES)
        except OSError:
            pass
        return scored

    def _digest(self, corpus: Corpus) -> str:
        """Return a sha256 of everything :meth:`_scored` reads: settings, code, word pairs, texts, articles in order."""
        digest = hashlib.sha256(f"{_code_digest()} {self.threshold!r} {self.fingerprint!r}".encode())
        matrix = corpus.bigrams.matrix.tocsr()
        for array, dtype in ((matrix.indptr, np.int64), (matrix.indices, np.int64), (matrix.data, np.float64)):
            digest.update(np.ascontiguousarray(array, dtype=dtype).tobytes())
        digest.update("\n".join(map(str, corpus.bigrams.terms)).encode())
        digest.update("\n".join(corpus.articles["article_id"]).encode())
        for article_id in corpus.articles["article_id"]:
            text = corpus.texts.get(article_id)
            digest.update(b"-" if text is None else hashlib.sha256(text.encode()).digest())
        return digest.hexdigest()

    @staticmethod
    def _clusters(corpus: Corpus, linked: sparse.spmatrix) -> pd.DataFrame:
        """Return cluster membership with one representative per cluster (``linked``: sparse article x article links)."""
        _, component = connected_components(sparse.csr_matrix(linked), directed=False)
        a = corpus.articles
        frame = pd.DataFrame({"article_id": a["article_id"], "component": component,
                              "original": a["relation"].eq("original"), "n_tokens": a["n_tokens"]})
        frame = frame.sort_values(["component", "original", "n_tokens", "article_id"],
                                  ascending=[True, False, False, True])
        frame["representative"] = frame.groupby("component")["article_id"].transform("first")
        frame["size"] = frame.groupby("component")["article_id"].transform("size")
        # Number clusters by their representative's name, so the numbering is stable.
        names = sorted(frame["representative"].unique())
        frame["cluster"] = frame["representative"].map({r: i + 1 for i, r in enumerate(names)})
        frame["is_representative"] = frame["article_id"] == frame["representative"]
        frame = frame.sort_values(["cluster", "is_representative", "article_id"], ascending=[True, False, True])
        return frame[["article_id", "cluster", "size", "representative", "is_representative"]].reset_index(drop=True)

    def dedupe(self, corpus: Corpus) -> Corpus:
        """Return the corpus keeping one representative per cluster (originals first, then longest)."""
        keep = set(self.clusters_.loc[self.clusters_["is_representative"], "article_id"])
        return corpus.take(np.flatnonzero(corpus.articles["article_id"].isin(keep).to_numpy()))

    def copy_clusters(self) -> pd.DataFrame:
        """Return only the clusters with more than one article."""
        return self.clusters_[self.clusters_["size"] > 1].reset_index(drop=True)


_SCORED = ("ia", "ib", "score", "overlap", "shared", "folded", "outside")
KEPT_SCORES = 16  # score files a memory folder keeps (the newest)


@lru_cache(maxsize=None)
def _code_digest() -> str:
    """Return a sha256 of the code copy scores depend on (this module and the featuriser): new code, new scores."""
    from . import features

    return hashlib.sha256(Path(__file__).read_bytes() + Path(features.__file__).read_bytes()).hexdigest()


def _fingerprints(present: sparse.csr_matrix, df: np.ndarray, size: int) -> sparse.csr_matrix:
    """Return each row's ``size`` rarest columns with df >= 2 (ties by column) as a sparse 0/1 matrix."""
    coo = present.tocoo()
    shared = df[coo.col] >= 2
    rows, cols = coo.row[shared], coo.col[shared]
    order = np.lexsort((cols, df[cols], rows))
    rows, cols = rows[order], cols[order]
    starts = np.searchsorted(rows, np.arange(present.shape[0]))
    rank = np.arange(len(rows)) - starts[rows]
    keep = rank < size
    return sparse.csr_matrix((np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=present.shape)


def _rowwise(left: sparse.csr_matrix, right: sparse.csr_matrix, ia: np.ndarray, ib: np.ndarray,
             block: int = 25_000) -> np.ndarray:
    """Return the dot products of rows ``left[ia[k]]`` and ``right[ib[k]]``, in blocks (memory stays bounded)."""
    out = np.zeros(len(ia))
    for start in range(0, len(ia), block):
        stop = start + block
        out[start:stop] = np.asarray(left[ia[start:stop]].multiply(right[ib[start:stop]]).sum(axis=1)).ravel()
    return out


def _with_reasons(pairs: pd.DataFrame) -> pd.DataFrame:
    """Return linked pairs with a ``reason`` in words (and without the helper column ``folded``)."""
    reasons = []
    for score, overlap, shared, folded, outside in pairs[["score", "overlap", "shared", "folded",
                                                          "outside_quotations"]].itertuples(index=False):
        reason = (f"{score:.0%} of the shorter text's rarity-weighted word pairs recur ({shared} shared, "
                  f"{overlap:.0%} unweighted)")
        if folded:
            reason += f"; {folded} matched only after folding encoding damage"
        if not np.isnan(outside):
            reason += f"; outside quotations of over 3 words: {outside:.0%}"
        reasons.append(reason)
    return pairs.drop(columns="folded").assign(reason=reasons)


def _outside_quotations(corpus: Corpus, present: sparse.csr_matrix, keys: np.ndarray, idf: np.ndarray,
                        ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """Return each pair's score on word pairs outside quotations of over 3 tokens; NaN unless one is held as such a text.

    Only texts show where quotations are. An article held as features, compared with such a
    text, sets aside the word pairs the text has only inside its quotations (what it quotes
    too); compared with features, it keeps all. A side left with no word pairs (all quotation)
    leaves the pair NaN. ``present``, ``keys`` and ``idf``: the skeleton presence, its column
    names and weights.
    """
    out = np.full(len(ia), np.nan)
    ids = corpus.articles["article_id"].to_numpy()
    prose, quoted = {}, {}
    for row in np.unique(np.concatenate([ia, ib])):
        text = corpus.texts.get(ids[row])
        cut = without_quotations(text) if text else None
        if cut is not None:
            own = np.array(sorted({_skeleton(t) for t in featurize(cut).bigrams}), dtype=object)
            at = np.minimum(np.searchsorted(keys, own), max(len(keys) - 1, 0))
            prose[row] = at[keys[at] == own] if len(keys) else at
            quoted[row] = np.setdiff1d(present[row].indices, prose[row])
    for k, (i, j) in enumerate(zip(ia, ib)):
        if i in prose or j in prose:
            a, b = (prose[r] if r in prose else np.setdiff1d(present[r].indices, quoted.get(other, []))
                    for r, other in ((i, j), (j, i)))
            own = min(idf[a].sum(), idf[b].sum())
            if own > 0:  # a text that is all quotation has no prose to compare: its pairs decide as they are
                out[k] = idf[np.intersect1d(a, b)].sum() / own
    return out


def labelled_copy_pairs(corpus: Corpus, same_language: bool = True) -> set[frozenset]:
    """Return article pairs the metadata labels as one text: same origin, at least one not original."""
    a = corpus.articles
    pairs = set()
    for _, group in a.groupby("origin_id"):
        rows = group.to_dict("records")
        for i, x in enumerate(rows):
            for y in rows[i + 1:]:
                if "original" in (x["relation"], y["relation"]) and x["relation"] == y["relation"]:
                    continue
                if same_language and x["language"] != y["language"]:
                    continue
                pairs.add(frozenset((x["article_id"], y["article_id"])))
    return pairs


def copy_detection_scores(corpus: Corpus, detector: CopyDetector) -> dict[str, float]:
    """Return precision and recall of the detector's pairs against the labelled same-language pairs."""
    truth = labelled_copy_pairs(corpus, same_language=True)
    found = {frozenset(p) for p in detector.pairs_[["article_id_a", "article_id_b"]].itertuples(index=False)}
    hits = len(truth & found)
    return {"labelled": len(truth), "detected": len(found), "true_positives": hits,
            "precision": hits / len(found) if found else float("nan"),
            "recall": hits / len(truth) if truth else float("nan")}


def copy_label_disagreements(corpus: Corpus, detector: CopyDetector) -> pd.DataFrame:
    """Return the pairs where detection and the labels disagree: labelled copies not linked, links the labels do not make.

    Columns: ``kind`` ("missed" or "extra"), ``article_id_a``, ``article_id_b``, ``score``
    (the link's; empty for a miss), each side's ``origin_id`` and ``relation``, and
    ``shared_events`` (the event tags both carry: none suggests two different texts).
    """
    truth = labelled_copy_pairs(corpus, same_language=True)
    found = {frozenset((a, b)): s for a, b, s in detector.pairs_[["article_id_a", "article_id_b", "score"]]
             .itertuples(index=False)}
    meta = corpus.articles.set_index("article_id")
    rows = []
    for kind, pairs in (("missed", truth - found.keys()), ("extra", found.keys() - truth)):
        for x, y in sorted(tuple(sorted(p)) for p in pairs):
            rows.append({"kind": kind, "article_id_a": x, "article_id_b": y, "score": found.get(frozenset((x, y)), np.nan),
                         "origin_a": meta.at[x, "origin_id"], "origin_b": meta.at[y, "origin_id"],
                         "relation_a": meta.at[x, "relation"], "relation_b": meta.at[y, "relation"],
                         "shared_events": ";".join(sorted(set(meta.at[x, "events"].split(";"))
                                                          & set(meta.at[y, "events"].split(";"))))})
    columns = ["kind", "article_id_a", "article_id_b", "score", "origin_a", "origin_b", "relation_a", "relation_b",
               "shared_events"]
    return pd.DataFrame(rows, columns=columns)


def _exact_block(tfidf: sparse.csr_matrix, rows: slice, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (neighbour positions, similarities) of the k best matches of a block of rows."""
    sims = (tfidf[rows] @ tfidf.T).toarray()
    sims[np.arange(sims.shape[0]), np.arange(rows.start, rows.stop)] = -np.inf  # not oneself
    return _best(sims, np.broadcast_to(np.arange(sims.shape[1]), sims.shape), k)


def _best(sims: np.ndarray, positions: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the k largest entries per row of ``sims`` (ties: lower position first) with positions.

    Deterministic at the boundary: of the entries tied with the k-th largest value, the ones
    at the lowest positions are taken (argpartition alone would pick arbitrary ones).
    """
    k = min(k, sims.shape[1])
    kth = -np.partition(-sims, k - 1, axis=1)[:, k - 1:k]
    above = sims > kth
    tied = sims == kth
    if positions.strides[0] != 0:  # per-row candidates (not one shared range): order ties by position
        order = np.argsort(positions, axis=1, kind="stable")
        sims, positions = np.take_along_axis(sims, order, axis=1), np.take_along_axis(positions, order, axis=1)
        above, tied = sims > kth, sims == kth
    needed = k - above.sum(axis=1, keepdims=True)
    chosen = above | (tied & (np.cumsum(tied, axis=1) <= needed))
    rows, cols = np.nonzero(chosen)
    cand_sims = sims[rows, cols].reshape(-1, k)
    cand_pos = positions[rows, cols].reshape(-1, k) if positions.ndim == 2 else cols.reshape(-1, k)
    order = np.lexsort((cand_pos, -cand_sims), axis=1)
    return np.take_along_axis(cand_pos, order, axis=1), np.take_along_axis(cand_sims, order, axis=1)


def _rescored(tfidf: sparse.csr_matrix, queries: np.ndarray, candidates: np.ndarray,
              k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the k best of each query's candidate articles by exact cosine (never itself)."""
    own = np.repeat(queries, candidates.shape[1])
    exact = np.asarray(tfidf[own].multiply(tfidf[candidates.ravel()]).sum(axis=1)).reshape(candidates.shape)
    exact[candidates == own.reshape(candidates.shape)] = -np.inf
    return _best(exact, candidates, k)


def _shortlist(projected: np.ndarray, queries: np.ndarray, pool: np.ndarray, m: int) -> np.ndarray:
    """Return, per query, the m pool articles of highest projected cosine (itself excluded)."""
    approx = projected[queries] @ projected[pool].T
    approx[queries[:, None] == pool[None, :]] = -np.inf
    m = min(m, len(pool))
    if m == len(pool):
        return np.broadcast_to(pool, approx.shape).copy()
    return pool[np.argpartition(-approx, m - 1, axis=1)[:, :m]]


def _cells(projected: np.ndarray, n_probe: int, seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Return (cell of each article, for each cell the cells it searches) of a k-means partition."""
    from sklearn.cluster import MiniBatchKMeans

    n_cells = max(1, int(round(np.sqrt(len(projected)))))
    kmeans = MiniBatchKMeans(n_clusters=n_cells, random_state=seed, n_init=1, batch_size=4096).fit(projected)
    centres = kmeans.cluster_centers_ / np.maximum(np.linalg.norm(kmeans.cluster_centers_, axis=1, keepdims=True), 1e-12)
    closeness = centres @ centres.T
    probes = np.argsort(-closeness, axis=1, kind="stable")[:, :min(n_probe, n_cells)]
    return kmeans.labels_, [np.union1d(p, [c]) for c, p in enumerate(probes)]


def _projected_neighbours(tfidf: sparse.csr_matrix, k: int, n_components: int, oversample: int,
                          n_probe: int, seed: int, block_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (positions, similarities) of each article's k best, searched cell by cell."""
    from sklearn.random_projection import SparseRandomProjection

    projector = SparseRandomProjection(n_components=n_components, dense_output=True, random_state=seed)
    projected = projector.fit_transform(tfidf).astype(np.float32)
    projected /= np.maximum(np.linalg.norm(projected, axis=1, keepdims=True), 1e-12)
    cell, probes = _cells(projected, n_probe, seed)
    members = [np.flatnonzero(cell == c) for c in range(len(probes))]
    positions = np.zeros((tfidf.shape[0], k), dtype=np.int64)
    sims = np.zeros((tfidf.shape[0], k))
    for c, queries in enumerate(members):
        if not len(queries):
            continue
        pool = np.concatenate([members[p] for p in probes[c]])
        for start in range(0, len(queries), block_size):
            block = queries[start:start + block_size]
            shortlist = _shortlist(projected, block, pool, k * oversample)
            positions[block], sims[block] = _padded(*_rescored(tfidf, block, shortlist, k), k)
    return positions, sims


def _padded(positions: np.ndarray, sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return results widened to k columns (a pool smaller than k leaves -1 / -inf)."""
    if positions.shape[1] == k:
        return positions, sims
    pad = k - positions.shape[1]
    return (np.pad(positions, ((0, 0), (0, pad)), constant_values=-1),
            np.pad(sims, ((0, 0), (0, pad)), constant_values=-np.inf))


def nearest_neighbours(tfidf: sparse.spmatrix, article_ids, k: int = 10, method: str = "auto",
                       block_size: int = 512, n_components: int = 256, oversample: int = 4,
                       n_probe: int = 10, seed: int = 0) -> pd.DataFrame:
    """Return each article's k most similar articles: article_id, rank, neighbour_id, similarity.

    Similarity is the cosine of (L2-normalised) TF-IDF rows. Rows are processed ``block_size``
    at a time, so memory grows with block_size x articles, never articles x articles.

    Args:
        method: "exact" compares every pair (sparse products; cost grows with the square of
            the corpus and with how many articles share each term). "projected" projects the
            rows to ``n_components`` dimensions (scikit-learn's SparseRandomProjection:
            Johnson-Lindenstrauss), partitions them into about sqrt(n) k-means cells
            (MiniBatchKMeans), and searches each article's cell and the ``n_probe - 1``
            nearest cells (an inverted-file index, as FAISS's IVF): the ``k * oversample``
            best by projected cosine are re-scored exactly. Every similarity reported is
            exact, but a true neighbour can be missed; cost grows as n^1.5, not n^2. "auto"
            is exact up to 20,000 articles. ``benchmarks/scaling.py`` measures the recall.
    """
    ids = np.asarray(list(article_ids), dtype=object)
    tfidf = sparse.csr_matrix(tfidf)
    n = tfidf.shape[0]
    if method == "auto":
        method = "exact" if n <= 20_000 else "projected"
    if method not in ("exact", "projected"):
        raise ParameterError(f"method must be 'auto', 'exact' or 'projected', not {method!r}")
    if n < 2:
        raise ParameterError("nearest neighbours need at least two articles")
    k = min(k, n - 1)
    if method == "projected":
        pos, sim = _projected_neighbours(tfidf, k, n_components, oversample, n_probe, seed, block_size)
    else:
        blocks = [_exact_block(tfidf, slice(s, min(s + block_size, n)), k) for s in range(0, n, block_size)]
        pos, sim = np.vstack([b[0] for b in blocks]), np.vstack([b[1] for b in blocks])
    found = (pos >= 0) & np.isfinite(sim)  # a search pool smaller than k + 1 leaves gaps, never oneself
    return pd.DataFrame({
        "article_id": np.repeat(ids, k)[found.ravel()],
        "rank": np.tile(np.arange(1, k + 1), n)[found.ravel()],
        "neighbour_id": ids[pos[found]], "similarity": sim[found].astype(float)})
