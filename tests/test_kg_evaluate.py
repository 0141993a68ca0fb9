"""Canonicalisation scored as pairwise merges: the metric on a hand-made example, and a floor on news gold dev."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pipeline.config import Config
from pipeline.gold.format import GoldDocument, GoldMention
from pipeline.kg.cli import kg_app
from pipeline.kg.evaluate import pairwise_counts, pairwise_score, predict_clusters, score_canonicalisation
from pipeline.kg.names import NameTables

from .conftest import ROOT
from .test_kg_helpers import mentions_in

# Measured with `newsgraph kg score-canon --split dev` (docs/kg.md): F1 0.9978; the floor leaves a margin.
DEV_F1_FLOOR = 0.97


def test_pairwise_counts_by_hand() -> None:
    # mentions 0-3: predicted {0,1} {2,3}; gold {0,1,2} {3}
    # predicted pairs (0,1) (2,3); gold pairs (0,1) (0,2) (1,2); one pair in both
    assert pairwise_counts(["a", "a", "b", "b"], [1, 1, 1, 2]) == (1, 2, 3)
    score = pairwise_score([(["a", "a", "b", "b"], [1, 1, 1, 2]), (["x"], [7])])
    assert (score.precision, round(score.recall, 4), round(score.f1, 4)) == (0.5, 0.3333, 0.4)
    assert pairwise_score([]).f1 == 1.0  # nothing to merge and nothing merged
    with pytest.raises(ValueError):
        pairwise_counts([1], [1, 2])


def test_predict_clusters_on_a_gold_document() -> None:
    text = (
        "Kyriakos Mitsotakis met the FBI. Mitsotakis thanked the Federal Bureau of Investigation in Athens."
    )
    specs = [("Kyriakos Mitsotakis", "PERSON"), ("FBI", "AGENCY"), ("Mitsotakis", "PERSON", 1),
             ("Federal Bureau of Investigation", "AGENCY"), ("Athens", "LOC")]  # fmt: skip
    clusters = [0, 1, 0, 1, 2]
    mentions = tuple(
        GoldMention(m.start, m.end, m.text, m.label, m.label, None, cluster)
        for m, cluster in zip(mentions_in(text, specs), clusters, strict=True)
    )
    doc = GoldDocument("g", "test", "dev", text, mentions=mentions)
    predicted = predict_clusters(doc, NameTables.load(Config(ROOT / "configs")))
    assert pairwise_counts(predicted, clusters) == (2, 2, 2)


def _newsgold_missing() -> str | None:
    from pipeline.gold.store import missing_reason

    return missing_reason(Config(ROOT / "configs"), "newsgold")


@pytest.mark.skipif(_newsgold_missing() is not None, reason="news gold corpus not found")
def test_dev_f1_stays_above_the_floor() -> None:
    scores = score_canonicalisation("dev", Config(ROOT / "configs"))
    assert scores["documents"] > 0 and scores["gold_pairs"] > 0
    assert scores["f1"] >= DEV_F1_FLOOR, scores


@pytest.mark.skipif(_newsgold_missing() is not None, reason="news gold corpus not found")
def test_cli_score_canon() -> None:
    result = CliRunner().invoke(kg_app, ["score-canon", "--split", "dev"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["split"] == "dev"
    bad = CliRunner().invoke(kg_app, ["score-canon", "--split", "train"])
    assert bad.exit_code == 2
