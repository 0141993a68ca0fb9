"""Capitals acting as governments are typed COUNTRY; the city as a place stays LOC. All sentences are invented."""

from __future__ import annotations

import pytest

from pipeline.config import Config
from pipeline.gold.format import GoldMention
from pipeline.model.capitals import capital_governments, capital_names


@pytest.fixture(scope="module")
def capitals() -> frozenset[str]:
    return capital_names(str(Config().path("countries.toml")))


def _retype(text: str, labelled: list[tuple[str, str]], capitals: frozenset[str]) -> list[str]:
    ms, at = [], 0
    for surface, label in labelled:
        start = text.index(surface, at)
        ms.append(GoldMention(start, start + len(surface), surface, label, label))
        at = start + len(surface)
    return [m.label for m in capital_governments(text, ms, capitals)]


def test_the_capital_list_leaves_out_city_states(capitals: frozenset[str]) -> None:
    assert {"Kampala", "Juba", "Ankara", "Baghdad", "Washington"} <= capitals
    assert "Singapore" not in capitals and "Luxembourg" not in capitals


@pytest.mark.parametrize(
    ("text", "surface", "label", "want"),
    [
        ("Kampala has not commented on the report.", "Kampala", "LOC", "COUNTRY"),
        ("The group accused Juba of hiring informants.", "Juba", "PERSON", "COUNTRY"),
        ("Juba rejected the allegations on Monday.", "Juba", "ORG", "COUNTRY"),
        ("The minister said Hanoi's request came late.", "Hanoi", "LOC", "COUNTRY"),
        ("A court in Kampala said the trial would resume.", "Kampala", "LOC", "LOC"),
        ("She flew to Ankara on Tuesday.", "Ankara", "LOC", "LOC"),
        ("The Kampala-based charity closed.", "Kampala", "LOC", "LOC"),
        ("Talks resumed in Bamako, officials said.", "Bamako", "LOC", "LOC"),
        ("Ankara has a new metro line.", "Ankara", "AGENCY", "AGENCY"),  # only LOC, PERSON and ORG are read
    ],
)
def test_one_capital(capitals: frozenset[str], text: str, surface: str, label: str, want: str) -> None:
    assert _retype(text, [(surface, label)], capitals) == [want]


def test_a_capital_joined_by_and_follows_the_first(capitals: frozenset[str]) -> None:
    text = "The envoy urged Ankara and Baghdad to settle the dispute."
    assert _retype(text, [("Ankara", "LOC"), ("Baghdad", "LOC")], capitals) == ["COUNTRY", "COUNTRY"]
    text = "Flights between Ankara and Baghdad resumed."
    assert _retype(text, [("Ankara", "LOC"), ("Baghdad", "LOC")], capitals) == ["LOC", "LOC"]


def test_the_tagger_applies_the_rule_when_its_settings_ask(capitals: frozenset[str]) -> None:
    np = pytest.importorskip("numpy")
    pytest.importorskip("torch")
    from types import SimpleNamespace

    from pipeline.gold.format import GoldDocument
    from pipeline.model.ner import Example
    from pipeline.train.ner import NerPredictor

    text = "Kampala has not commented ."
    words = text.split()
    spans, at = [], 0
    for w in words:
        a = text.index(w, at)
        spans.append((a, a + len(w)))
        at = a + len(w)
    tags = ["B-LOC", "O", "O", "O", "O"]
    tag_set = ["O", "B-LOC", "I-LOC", "B-COUNTRY", "I-COUNTRY"]
    lp = np.log(np.array([[0.9 if t == g else 0.025 for t in tag_set] for g in tags]))
    doc = GoldDocument("d", "toy", "test", text, ((0, len(text)),))
    stub = SimpleNamespace(tags=tag_set, eval=lambda: stub)
    for setting, want in [(False, "LOC"), (True, "COUNTRY")]:
        tagger = NerPredictor(stub, None, {"capital_governments": setting})
        tagger.capitals = capitals
        (out,) = tagger.with_mentions(
            [doc], [Example("d", tuple(words), tuple(spans))], [0], [tags], [lp], [1]
        )
        assert [m.label for m in out.mentions] == [want]
