"""Searching claims: ranked, stemmed full-text search on PostgreSQL, word by word elsewhere.

On PostgreSQL, migration 0004 gives claims, evidence and papers a stored `search_document`
(a tsvector the database computes on every write, COPY included) with a GIN index each. A
claim matches when its own words (text, then subject, object and context) match, or when
one of its evidence items that the reader may see matches in its excerpt or its paper's
title. Claims that say the words themselves rank first, by ts_rank; the rest follow, newest
first. SQLite keeps a plain word-by-word search so the embedded default works.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import Case, Exists, Expression, OuterRef, Q, QuerySet, Value, When

from claims.models import Claim, Paper

CONFIG = "english"
DOCUMENT_COLUMN = "search_document"


class Document(Expression):
    """The stored search document of the query's own table (PostgreSQL only)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.{DOCUMENT_COLUMN}", []


def search_claims(claims: QuerySet, text: str, evidence: QuerySet) -> QuerySet:
    """The claims in `claims` that `text` finds, best first; `evidence` is what the reader
    may see, so that hidden evidence never makes a claim match."""
    if connections[claims.db].vendor != "postgresql":
        return _by_words(claims, text, evidence)
    wanted, refused = _split(text)
    # A -word excludes the claim if any of its parts says it, not only the part that matched.
    for term in refused:
        claims = claims.exclude(pk__in=_matches(_query(term), evidence))
    if not wanted:
        return claims
    query = _query(wanted)
    return (claims.filter(pk__in=_matches(query, evidence))
            .alias(search_rank=SearchRank(Document(), query))
            .order_by("-search_rank", "-updated_at", "-id"))


def _split(text: str) -> tuple[str, list[str]]:
    """The words and "phrases" to find, and each -word or -"phrase" to refuse."""
    wanted, refused = [], []
    for term in _TERMS.findall(text):
        if term.startswith("-") and len(term) > 1:
            refused.append(term[1:])
        else:
            wanted.append(term)
    return " ".join(wanted), refused


_TERMS = re.compile(r'-?"[^"]*"?|\S+')


def _query(text: str) -> SearchQuery:
    return SearchQuery(text, config=CONFIG, search_type="websearch")


def _matches(query: SearchQuery, evidence: QuerySet) -> QuerySet:
    """Ids of the claims whose own words, visible evidence excerpts or those evidence items'
    paper titles match query."""
    # Unordered parts, and UNION ALL: the IN around them removes duplicates anyway, so
    # neither a sort nor a second de-duplication is paid for tens of thousands of matches.
    own = Claim.objects.alias(document=Document()).filter(document=query).order_by()
    in_excerpts = evidence.alias(document=Document()).filter(document=query).order_by()
    titles = Paper.objects.alias(document=Document()).filter(document=query).order_by()
    in_titles = evidence.filter(paper__in=titles.values("pk")).order_by()
    return own.values("pk").union(in_excerpts.values("claim_id"), in_titles.values("claim_id"),
                                  all=True)


def _by_words(claims: QuerySet, text: str, evidence: QuerySet) -> QuerySet:
    rank = Value(0)
    for term in text.split():
        matching = evidence.filter(Q(excerpt__icontains=term) | Q(paper__title__icontains=term),
                                   claim=OuterRef("pk"))
        claims = claims.filter(Q(text__icontains=term) | Q(subject__icontains=term)
                               | Q(object__icontains=term) | Q(Exists(matching)))
        rank += Case(When(text__icontains=term, then=Value(2)),
                     When(Q(subject__icontains=term) | Q(object__icontains=term),
                          then=Value(1)), default=Value(0))
    return claims.alias(search_rank=rank).order_by("-search_rank", "-updated_at", "-id")
