"""Similar claims: the stored claims that say nearly what a new one says, so that a curator
finds a duplicate before writing it.

On PostgreSQL the texts are compared by trigrams (pg_trgm, installed with a GIN index on the
claim text by migration 0008): claims whose similarity() with the text reaches pg_trgm's
threshold (0.3), found through the index by the % operator, best first. The lookup and the
function are django.contrib.postgres's, used as expressions, so the app need not be
installed. Elsewhere (SQLite) a plain fallback: the claims sharing one of the text's longer
words (at most CANDIDATES of them, newest first) are scored by difflib's ratio over their
lower-cased texts and kept from FALLBACK_THRESHOLD up.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connections
from django.db.models import F, Q, QuerySet, Value

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
CANDIDATES = 500
FALLBACK_THRESHOLD = 0.5
_WORDS_ASKED = 8  # the text's longest words that pick the fallback's candidates
_WORD = re.compile(r"\w{4,}")


@dataclass(frozen=True)
class Similar:
    id: int
    uid: str
    text: str
    status: str
    similarity: float


def similar_claims(claims: QuerySet, text: str, limit: int = DEFAULT_LIMIT) -> list[Similar]:
    """The claims in `claims` (those the caller may see) most like `text`, best first, at most
    `limit`; each with its similarity, from 0 to 1."""
    text = text.strip()
    if not text:
        return []
    if connections[claims.db].vendor == "postgresql":
        rows = (claims.filter(TrigramSimilar(F("text"), Value(text)))
                .annotate(similarity=TrigramSimilarity("text", text))
                .order_by("-similarity", "-id")
                .values_list("id", "uid", "text", "status", "similarity")[:limit])
        return [Similar(pk, str(uid), said, status, round(score, 3))
                for pk, uid, said, status, score in rows]
    return _by_shared_words(claims, text, limit)


def _by_shared_words(claims: QuerySet, text: str, limit: int) -> list[Similar]:
    words = sorted({w.lower() for w in _WORD.findall(text)}, key=lambda w: (-len(w), w))
    if not words:
        return []
    shares = Q()
    for word in words[:_WORDS_ASKED]:
        shares |= Q(text__icontains=word)
    candidates = (claims.filter(shares).order_by("-id")
                  .values_list("id", "uid", "text", "status")[:CANDIDATES])
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(text.lower())  # the sequence difflib indexes: the same for every candidate
    scored = []
    for pk, uid, said, status in candidates:
        matcher.set_seq1(said.lower())
        # The cheap upper bounds first: most candidates stop there.
        if matcher.real_quick_ratio() < FALLBACK_THRESHOLD or matcher.quick_ratio() < FALLBACK_THRESHOLD:
            continue
        score = matcher.ratio()
        if score >= FALLBACK_THRESHOLD:
            scored.append(Similar(pk, str(uid), said, status, round(score, 3)))
    scored.sort(key=lambda s: (-s.similarity, -s.id))
    return scored[:limit]
