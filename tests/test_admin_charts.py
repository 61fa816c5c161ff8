"""The claim page's chart, read back as SVG: each evidence type's bar is as long as its items,
split by direction, with the numbers and words a reader needs and nothing unescaped."""

import xml.etree.ElementTree as ET

from claims.admin.charts import BAR_WIDTH, Bar, evidence_by_type

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def bars(root: ET.Element) -> dict:
    """{label: {"total": n, "segments": {direction: (count, pending, width)}}}"""
    found = {}
    for bar in root.iter(f"{SVG}g"):
        if bar.get("class") != "bar":
            continue
        segments = {}
        for segment in bar.iter(f"{SVG}g"):
            if segment.get("class") == "segment":
                drawn = sum(float(rect.get("width")) for rect in segment.iter(f"{SVG}rect"))
                assert abs(drawn - float(segment.get("data-width"))) < 0.02
                segments[segment.get("data-direction")] = (
                    int(segment.get("data-count")),
                    int(segment.get("data-pending")),
                    drawn,
                )
        found[bar.get("data-label")] = {"total": int(bar.get("data-total")), "segments": segments}
    return found


def texts(root: ET.Element) -> list[str]:
    return ["".join(text.itertext()) for text in root.iter(f"{SVG}text")]


def test_each_type_gets_a_bar_split_by_direction_in_proportion_to_its_items():
    root = parse(
        evidence_by_type(
            [
                Bar("In vivo animal model", {"supports": 3, "contradicts": 1}),
                Bar("Review", {"inconclusive": 2}),
            ]
        )
    )
    drawn = bars(root)
    assert set(drawn) == {"In vivo animal model", "Review"}
    animal, review = drawn["In vivo animal model"], drawn["Review"]
    assert animal["total"] == 4 and review["total"] == 2
    # The longest bar is the full width; one item is as long in every bar.
    unit = BAR_WIDTH / 4
    assert animal["segments"] == {"supports": (3, 0, 3 * unit), "contradicts": (1, 0, unit)}
    assert review["segments"] == {"inconclusive": (2, 0, 2 * unit)}


def test_segments_follow_each_other_from_supporting_to_inconclusive():
    root = parse(evidence_by_type([Bar("Assay", {"inconclusive": 1, "contradicts": 2, "supports": 1})]))
    segments = [g for g in root.iter(f"{SVG}g") if g.get("class") == "segment"]
    assert [g.get("data-direction") for g in segments] == ["supports", "contradicts", "inconclusive"]
    starts = [float(next(g.iter(f"{SVG}rect")).get("x")) for g in segments]
    widths = [float(g.get("data-width")) for g in segments]
    assert starts[1] == starts[0] + widths[0] and starts[2] == starts[1] + widths[1]


def test_items_not_yet_accepted_are_the_paler_part_of_their_direction():
    root = parse(evidence_by_type([Bar("Assay", {"supports": 4}, {"supports": 1})]))
    (segment,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "segment"]
    solid, pale = segment.iter(f"{SVG}rect")
    assert float(solid.get("width")) == 3 * float(pale.get("width"))
    assert solid.get("fill") != pale.get("fill")
    assert "1 not yet accepted" in segment.find(f"{SVG}title").text


def test_numbers_labels_and_legend_are_written_out():
    root = parse(evidence_by_type([Bar("In vivo animal model", {"supports": 3, "contradicts": 1})]))
    words = texts(root)
    assert "4 items" in words
    assert {"3", "1"} <= set(words)  # each segment's number
    assert {"supporting", "contradicting", "inconclusive"} <= set(words)  # the legend
    assert any("In vivo animal model" in w for w in words)


def test_the_chart_is_an_image_with_a_title_and_a_description_for_screen_readers():
    root = parse(evidence_by_type([Bar("Review", {"supports": 2}, {"supports": 2})], title="Evidence"))
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Evidence"
    assert desc.text == ("Review: 2 supporting (2 not yet accepted), 0 contradicting, 0 inconclusive.")


def test_labels_are_escaped_and_long_ones_shortened_with_the_full_label_kept():
    label = '<script>alert("x")</script> & a very long evidence type label indeed'
    svg = evidence_by_type([Bar(label, {"contradicts": 1})])
    assert "<script>" not in svg
    root = parse(svg)  # well-formed: the label is text, not markup
    (bar,) = bars(root)
    assert bar == label
    shown = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"][0]
    assert shown.find(f"{SVG}title").text == label
    assert "".join(shown.itertext()).endswith("…")


def test_no_items_no_chart():
    assert evidence_by_type([]) == ""
    assert evidence_by_type([Bar("Review", {})]) == ""
