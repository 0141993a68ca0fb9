"""Document-level alias typing: abbreviations defined in brackets, initials and one-word short forms take the type
of the full name; countries, places and ambiguous short forms are left alone. All text here is invented."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from pipeline.gold.format import GoldDocument, GoldMention
from pipeline.model.aliases import alias_types, is_abbreviation

NAMED = ("ORG", "AGENCY", "PERSON")


def _mentions(text: str, labelled: list[tuple[str, str]]) -> list[GoldMention]:
    """Mentions found left to right: each (surface, label) is searched after the previous one."""
    out, at = [], 0
    for surface, label in labelled:
        start = text.index(surface, at)
        out.append(GoldMention(start, start + len(surface), surface, label, label))
        at = start + len(surface)
    return out


def _types(text: str, labelled: list[tuple[str, str]], types=NAMED) -> list[str]:
    ms = _mentions(text, labelled)
    out, _ = alias_types(text, ms, [0.9] * len(ms), types)
    return [m.label for m in out]


def test_abbreviation_shapes() -> None:
    assert all(is_abbreviation(t) for t in ["FBI", "FAMa", "AfDB", "U.S.", "OM"])
    assert not any(is_abbreviation(t) for t in ["Interpol", "fbi", "F", "New York", "A-"])


def test_a_defined_abbreviation_takes_the_full_names_type_everywhere() -> None:
    text = (
        "Soldiers of the Velmar Armed Forces (VAF) repelled the raid. Later the VAF said two soldiers died, "
        "and a VAF spokesman denied reports of looting."
    )
    labelled = [("Velmar Armed Forces", "AGENCY"), ("VAF", "ORG"), ("VAF", "ORG"), ("VAF", "PERSON")]
    assert _types(text, labelled) == ["AGENCY"] * 4


def test_the_renamed_mention_takes_the_score_of_its_source() -> None:
    text = "The Ostrava Grain Board (OGB) met. The OGB agreed."
    ms = _mentions(text, [("Ostrava Grain Board", "AGENCY"), ("OGB", "AGENCY"), ("OGB", "ORG")])
    out, scores = alias_types(text, ms, [0.8, 0.7, 0.4], NAMED)
    assert [m.label for m in out] == ["AGENCY", "AGENCY", "AGENCY"]
    assert [m.orig for m in out] == ["AGENCY", "AGENCY", "AGENCY"]
    assert scores == [0.8, 0.7, 0.8]  # only the renamed mention takes its source's score
    assert out[2].start == ms[2].start and out[2].text == "OGB"


def test_initials_of_one_organisation_name() -> None:
    text = "The National Harbour Authority fined the firm. The NHA said it would appeal nothing."
    assert _types(text, [("National Harbour Authority", "AGENCY"), ("NHA", "ORG")]) == ["AGENCY", "AGENCY"]


def test_initials_matching_two_types_change_nothing() -> None:
    text = "The National Harbour Authority and the Northern Hauliers Association met. NHA officials left."
    labelled = [
        ("National Harbour Authority", "AGENCY"),
        ("Northern Hauliers Association", "ORG"),
        ("NHA", "ORG"),
    ]
    assert _types(text, labelled) == ["AGENCY", "ORG", "ORG"]


def test_short_forms_of_companies_and_people() -> None:
    text = (
        "Brenmoor Precision exported lathes, said Ilse Vantongeren. Brenmoor denied it, "
        "and Vantongeren declined to comment."
    )
    labelled = [
        ("Brenmoor Precision", "ORG"),
        ("Ilse Vantongeren", "PERSON"),
        ("Brenmoor", "PERSON"),
        ("Vantongeren", "ORG"),
    ]
    assert _types(text, labelled) == ["ORG", "PERSON", "ORG", "PERSON"]


def test_countries_places_and_ambiguous_short_forms_stay() -> None:
    text = "The Bank of Tarsia lent to Tarsia. Karo Mining hired Lina Karo. Karo said Paris agreed with Paris Group."
    labelled = [
        ("Bank of Tarsia", "ORG"),
        ("Tarsia", "COUNTRY"),
        ("Karo Mining", "ORG"),
        ("Lina Karo", "PERSON"),
        ("Karo", "ORG"),
        ("Paris", "LOC"),
        ("Paris Group", "ORG"),
    ]
    assert _types(text, labelled) == ["ORG", "COUNTRY", "ORG", "PERSON", "ORG", "LOC", "ORG"]


def test_no_types_means_no_change() -> None:
    text = "Soldiers of the Velmar Armed Forces (VAF) left. The VAF said so."
    labelled = [("Velmar Armed Forces", "AGENCY"), ("VAF", "ORG"), ("VAF", "ORG")]
    assert _types(text, labelled, types=()) == ["AGENCY", "ORG", "ORG"]


def test_the_tagger_applies_the_rules_when_its_settings_name_types() -> None:
    pytest.importorskip("torch")
    from pipeline.model.ner import Example
    from pipeline.train.ner import NerPredictor

    text = "The Velmar Armed Forces (VAF) left. The VAF said so."
    words, spans, at = [], [], 0
    for w in [
        "The",
        "Velmar",
        "Armed",
        "Forces",
        "(",
        "VAF",
        ")",
        "left",
        ".",
        "The",
        "VAF",
        "said",
        "so",
        ".",
    ]:
        a = text.index(w, at)
        words.append(w)
        spans.append((a, a + len(w)))
        at = a + len(w)
    tags = ["O", "B-AGENCY", "I-AGENCY", "I-AGENCY", "O", "B-ORG", "O", "O", "O", "O", "B-ORG", "O", "O", "O"]
    tag_set = ["O", "B-AGENCY", "I-AGENCY", "B-ORG", "I-ORG"]
    lp = np.log(np.array([[0.9 if t == g else 0.025 for t in tag_set] for g in tags]))
    doc = GoldDocument("d", "toy", "test", text, ((0, len(text)),))
    example = Example("d", tuple(words), tuple(spans))
    stub = SimpleNamespace(tags=tag_set, eval=lambda: stub)
    for types, want in [((), ["AGENCY", "ORG", "ORG"]), (list(NAMED), ["AGENCY"] * 3)]:
        tagger = NerPredictor(stub, None, {"alias_types": types})
        (out,) = tagger.with_mentions([doc], [example], [0], [tags], [lp], [1])
        assert [m.label for m in out.mentions] == want
        assert len(out.meta["mention_scores"]) == 3
