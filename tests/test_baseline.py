"""The baseline extractor on hand-written news sentences with gold entities and relations."""

from __future__ import annotations

import pytest

from pipeline.baseline import BaselineExtractor


def _run(nlp, baseline: BaselineExtractor, text: str):
    doc = baseline(nlp(text))
    ents = {(e.text, e.label_) for e in doc.ents}
    rels = {(r.head.text, r.relation, r.tail.text) for r in doc._.relations}
    return ents, rels, doc


CASES = [
    (
        "Madrid-based human rights campaigner Safeguard Defenders says it found evidence of police stations.",
        {("Madrid", "LOC"), ("Safeguard Defenders", "ORG")},
        {("Safeguard Defenders", "based_in", "Madrid")},
    ),
    (
        "Investigators named four police jurisdictions of China's Ministry of Public Security.",
        {("China", "COUNTRY"), ("Ministry of Public Security", "AGENCY")},
        {("Ministry of Public Security", "part_of", "China")},
    ),
    (
        "A motorcycle rider was arrested in Thessaloniki, Greece, on Monday.",
        {("Thessaloniki", "LOC"), ("Greece", "COUNTRY")},
        {("Thessaloniki", "located_in", "Greece")},
    ),
    (
        "The United States imposed fresh sanctions on Russia on Friday.",
        {("United States", "COUNTRY"), ("Russia", "COUNTRY")},
        {("United States", "coerces", "Russia")},
    ),
    (
        "Amnesty International accused Iran of torturing detainees.",
        {("Iran", "COUNTRY")},
        {("Amnesty International", "alleges", "Iran")},
    ),
    (
        "Poland, a member of NATO, has deployed additional troops.",
        {("Poland", "COUNTRY"), ("NATO", "ORG")},
        {("Poland", "member_of", "NATO")},
    ),
]


@pytest.mark.parametrize(("text", "entities", "relations"), CASES, ids=[c[0][:30] for c in CASES])
def test_entities_and_relations(
    nlp, baseline: BaselineExtractor, text: str, entities: set, relations: set
) -> None:
    ents, rels, doc = _run(nlp, baseline, text)
    assert entities <= ents
    assert relations <= rels
    for r in doc._.relations:
        assert baseline.schema.is_allowed(r.relation, r.head.label_, r.tail.label_)
        assert 0 < r.score <= 1


def test_capital_as_government_and_as_place(nlp, baseline: BaselineExtractor) -> None:
    ents, _, _ = _run(
        nlp, baseline, "Beijing has denied the report. Several delegates stayed at a hotel in Beijing."
    )
    doc = baseline(nlp("Beijing has denied the report. Several delegates stayed at a hotel in Beijing."))
    labels = [e.label_ for e in doc.ents if e.text == "Beijing"]
    assert labels == ["COUNTRY", "LOC"]


def test_denials_negations_and_hedges_give_no_triple(nlp, baseline: BaselineExtractor) -> None:
    for text in (
        "Beijing has denied it is running police stations in Italy.",
        "Russia did not attack Ukraine on Tuesday, officials said.",
        "The European Union could sanction Iran next month.",
    ):
        _, rels, _ = _run(nlp, baseline, text)
        assert not {r for r in rels if r[1] in ("alleges", "attacks", "coerces")}, text


def test_no_entities_and_empty_doc(nlp, baseline: BaselineExtractor) -> None:
    for text in ("", "the weather was mild and nothing happened."):
        doc = baseline(nlp(text))
        assert list(doc.ents) == [] and doc._.relations == []


def test_dateline_is_a_place_not_an_actor(nlp, baseline: BaselineExtractor) -> None:
    ents, rels, _ = _run(
        nlp, baseline, "NAIROBI, March 3 — The European Union and Kenya signed a port agreement."
    )
    assert ("NAIROBI", "LOC") in ents
    assert not any(h == "NAIROBI" for h, _, _ in rels)
