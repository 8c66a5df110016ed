"""The corpus directory's schema: columns, codes and allowed values (see corpus/README.md)."""

from __future__ import annotations

import re

ARTICLE_COLUMNS = (
    "article_id", "outlet_id", "origin_id", "relation", "url", "published", "date_basis",
    "title", "language", "events", "text_form", "source_chars", "truncated",
)
OUTLET_COLUMNS = ("outlet_id", "name", "domain", "country", "ownership", "group")

RELATIONS = ("original", "copy", "rewrite", "translation", "machine-translation")
GROUPS = (
    "russian-state", "ukrainian", "western", "russian-independent", "non-aligned", "aggregator",
    "unknown",  # imported outlets not yet coded by the researcher
)
SMALL_GROUP = 3  # groups with fewer articles are shown but not read as findings
DATE_BASES = ("shown", "inferred", "unknown")
TEXT_FORMS = ("full", "features")
BOOLEANS = ("true", "false")

# An id doubles as a file name: lower-case letters, digits, and single . _ - between them.
SAFE_ID = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# ISO 639-1 two-letter language codes.
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
    hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
    lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
    or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
    ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)


def most_common(values) -> str:
    """Return the most frequent value as text (ties: the first in sorted order), e.g. an outlet's group over its articles."""
    return values.astype(str).value_counts().sort_index().idxmax()
