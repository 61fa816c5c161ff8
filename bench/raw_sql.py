"""The raw baseline's SQL: the API's JSON for an anonymous reader, built by PostgreSQL.

Each fragment selects one object's fields, in the serializer's order, from a row of its
table under a fixed alias (c: claims_claim, e: claims_evidence, p: claims_paper,
cr: claims_curatorreview), joined as the matching *_JOINS string says. row_to_json and
array_to_json print compact JSON, which psycopg2 hands through as text when cast to it.
"""

PUBLIC_CLAIMS = "('accepted', 'retracted')"
PUBLIC_EVIDENCE = "'accepted'"
DIRECTIONS = ("supports", "contradicts", "inconclusive")


def iso(column: str) -> str:
    """A timestamptz as DRF prints it: ISO 8601 in UTC with Z, microseconds only when non-zero."""
    return (f"(to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
            f"CASE WHEN to_char({column}, 'US') = '000000' THEN '' "
            f"ELSE to_char({column}, '.US') END || 'Z')")


def json_array(select: str) -> str:
    """The rows of an ordered SELECT as a JSON array of objects, [] when there are none.

    The outermost one is cast to text where it is selected, so psycopg2 hands the JSON
    through as a string instead of parsing it."""
    return f"array_to_json(ARRAY(SELECT r FROM ({select}) r))"


def json_object(select: str) -> str:
    """The single row of a SELECT as a JSON object, or null."""
    return f"(SELECT row_to_json(r) FROM ({select}) r)"


# A review as ReviewSerializer gives it.
REVIEW_COLUMNS = f"""
    cr.id, cr.uid, cr.claim_id AS claim, cr.evidence_id AS evidence, cr.review_round,
    cr.verdict, cr.comment, ru.username AS reviewer, {iso('cr.created_at')} AS created_at"""
REVIEW_JOINS = "JOIN auth_user ru ON ru.id = cr.reviewer_id"


def reviews_of(where: str) -> str:
    return json_array(f"SELECT {REVIEW_COLUMNS} FROM claims_curatorreview cr {REVIEW_JOINS} "
                      f"WHERE {where} ORDER BY cr.created_at, cr.id")


def evidence_columns(after_uid: str = "", last: str = "") -> str:
    """An evidence item as nested in its claim; the detail adds its claim after uid and
    allowed_actions at the end."""
    return f"""
    e.id, e.uid, {after_uid}
    (SELECT row_to_json(p) FROM (SELECT pa.id, pa.doi, pa.pmid, pa.title, pa.year) p) AS paper,
    (SELECT row_to_json(t) FROM (SELECT et.id, et.code, et.label, et.eco_id) t) AS evidence_type,
    e.direction, e.excerpt, e.location, e.species, e.model, e.sex, e.intervention, e.dose,
    e.route, e.outcome, e.effect, e.effect_value, e.effect_unit, e.sample_size,
    e.randomised, e.blinded_assessment, e.sample_size_calculation, e.both_sexes,
    e.litter_matched_controls, e.notes,
    e.status, e.review_round, eu1.username AS created_by, eu2.username AS updated_by,
    {iso('e.created_at')} AS created_at, {iso('e.updated_at')} AS updated_at,
    {reviews_of('cr.evidence_id = e.id')} AS reviews {last}"""


EVIDENCE_JOINS = """
    JOIN claims_paper pa ON pa.id = e.paper_id
    JOIN claims_evidencetype et ON et.id = e.evidence_type_id
    LEFT JOIN auth_user eu1 ON eu1.id = e.created_by_id
    LEFT JOIN auth_user eu2 ON eu2.id = e.updated_by_id"""

EVIDENCE_OF_CLAIM = json_array(f"""
    SELECT {evidence_columns()} FROM claims_evidence e {EVIDENCE_JOINS}
    WHERE e.claim_id = c.id AND e.status = {PUBLIC_EVIDENCE}
    ORDER BY e.id""")

_COUNTS = ", ".join(f"count(*) FILTER (WHERE e.direction = '{d}') AS {d}" for d in DIRECTIONS)
EVIDENCE_COUNTS = (f"(SELECT row_to_json(k) FROM (SELECT {_COUNTS} FROM claims_evidence e "
                   f"WHERE e.claim_id = c.id AND e.status = {PUBLIC_EVIDENCE}) k)")

# One claim as ClaimSerializer gives it to an anonymous reader.
CLAIM_COLUMNS = f"""
    c.id, c.uid, c.text, c.subject, c.relation, c.object, c.context,
    array_to_json(ARRAY(SELECT tp.slug FROM claims_claim_topics ct
                        JOIN claims_topic tp ON tp.id = ct.topic_id
                        WHERE ct.claim_id = c.id ORDER BY tp.slug)) AS topics,
    c.status, c.review_round, c.needs_rereview, c.rereview_reason, c.retraction_reason,
    sup.uid AS superseded_by,
    cu1.username AS created_by, cu2.username AS updated_by,
    {iso('c.created_at')} AS created_at, {iso('c.updated_at')} AS updated_at,
    {EVIDENCE_COUNTS} AS evidence_counts,
    c.synthesis,
    {EVIDENCE_OF_CLAIM} AS evidence,
    {reviews_of('cr.claim_id = c.id')} AS reviews,
    {json_array(f"SELECT v.number, v.content_hash, {iso('v.accepted_at')} AS accepted_at "
                "FROM claims_claimversion v WHERE v.claim_id = c.id ORDER BY v.number")} AS versions,
    '[]'::json AS allowed_actions"""

CLAIM_JOINS = """
    LEFT JOIN claims_claim sup ON sup.id = c.superseded_by_id
    LEFT JOIN auth_user cu1 ON cu1.id = c.created_by_id
    LEFT JOIN auth_user cu2 ON cu2.id = c.updated_by_id"""


def claims_json(source: str, order: str) -> str:
    """The claims of `source` (a subquery of claims_claim rows) as a JSON array, in order."""
    return json_array(f"SELECT {CLAIM_COLUMNS} FROM ({source}) c {CLAIM_JOINS} ORDER BY {order}")


# A paper as PaperSerializer gives it.
PAPER_COLUMNS = f"""
    p.id, p.uid, p.doi, p.pmid, p.title,
    array_to_json(ARRAY(SELECT jsonb_array_elements_text(p.authors))) AS authors,
    p.authors_complete, p.journal, p.year, p.volume, p.pages, p.abstract, p.publication_type, p.url,
    p.is_retracted, p.retraction_date, p.retraction_url, p.published_version_id AS published_version,
    array_to_json(ARRAY(SELECT pp.id FROM claims_paper pp WHERE pp.published_version_id = p.id
                        ORDER BY pp.id)) AS preprints,
    array_to_json(ARRAY(SELECT tp.slug FROM claims_paper_topics pt
                        JOIN claims_topic tp ON tp.id = pt.topic_id
                        WHERE pt.paper_id = p.id ORDER BY tp.slug)) AS topics,
    {iso('p.created_at')} AS created_at, {iso('p.updated_at')} AS updated_at"""

PAPERS_JSON = json_array(f"""
    SELECT {PAPER_COLUMNS}
    FROM (SELECT * FROM claims_paper ORDER BY year DESC, title, id LIMIT %(limit)s OFFSET %(offset)s) p
    ORDER BY p.year DESC, p.title, p.id""")
