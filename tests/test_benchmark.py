"""Running models on gold texts, reading predictions back, the evaluate CLI and the benchmark report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.benchmark import (
    BEGIN,
    END,
    Predictor,
    eval_corpus,
    markdown,
    read_predictions,
    score,
    write_report,
)
from pipeline.cli import app
from pipeline.config import Config
from pipeline.gold.format import GoldDocument, GoldMention, GoldRelation
from tests.conftest import gold_docs

TEXT = "Amnesty International, a London-based group, said Germany's Federal Police raided offices."


def _gold() -> GoldDocument:
    def m(text: str, label: str) -> GoldMention:
        start = TEXT.index(text)
        return GoldMention(start=start, end=start + len(text), text=text, orig=label, label=label)

    return GoldDocument(
        id="toy-1",
        dataset="toy",
        split="dev",
        text=TEXT,
        sentences=((0, len(TEXT)),),
        mentions=(
            m("Amnesty International", "ORG"),
            m("London", "LOC"),
            m("Germany", "COUNTRY"),
            m("Federal Police", "AGENCY"),
        ),
        relations=(
            GoldRelation(head=0, tail=1, orig="based_in", label="based_in"),
            GoldRelation(head=3, tail=2, orig="part_of", label="part_of"),
        ),
    )


@pytest.fixture(scope="module")
def predictor(config: Config) -> Predictor:
    return Predictor(config)


def test_predictions_keep_ids_and_text(predictor: Predictor) -> None:
    gold = [_gold()]
    preds = predictor.predict(gold)
    assert set(preds) == {"baseline", "spacy"}
    for docs in preds.values():
        assert [d.id for d in docs] == ["toy-1"]
        assert docs[0].text == TEXT
        docs[0].check()
    base = preds["baseline"][0]
    labels = {(m.text, m.label) for m in base.mentions}
    assert ("Amnesty International", "ORG") in labels
    assert any(r.label == "based_in" for r in base.relations)


def test_baseline_scores_on_a_toy_document(config: Config, predictor: Predictor) -> None:
    gold = [_gold()]
    pred = predictor.predict(gold)["baseline"]
    ner = score(config, gold, pred, "ner", "schema")
    assert ner["micro"]["tp"] >= 3
    rel = score(config, gold, pred, "relations", "schema")
    assert rel["micro"]["tp"] >= 1  # Amnesty International based_in London


def test_read_predictions_from_canonical_jsonl(tmp_path: Path) -> None:
    gold = [_gold()]
    path = tmp_path / "pred.jsonl"
    path.write_text(json.dumps(gold[0].to_record()) + "\n", encoding="utf-8")
    (pred,) = read_predictions(path, gold)
    assert pred == gold[0]


def test_report_section_is_replaced_not_appended(config: Config, tmp_path: Path) -> None:
    report = tmp_path / "benchmarks.md"
    report.write_text("# Benchmarks\n\nKeep me.\n", encoding="utf-8")
    row = {
        "corpus": "conll04",
        "split": "test",
        "model": "baseline",
        "metric": "ner",
        "labels": "orig",
        "precision": 0.5,
        "recall": 0.25,
        "f1": 1 / 3,
        "macro_f1": 0.3,
        "support": 8,
        "per_type": {},
    }
    section = markdown(config, {"rows": [row], "skipped": []}, "make eval")
    assert "88.94 (SpERT" in section  # the published anchor sits in the same row
    write_report(report, section)
    write_report(report, section)
    text = report.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1 and "Keep me." in text
    assert "50.0 / 25.0 / **33.3**" in text


def test_every_eval_corpus_has_a_gold_spec(config: Config) -> None:
    from pipeline.gold.spec import corpus_names

    for name in config.toml("eval.toml")["corpora"]:
        assert name in corpus_names(config)
        corpus = eval_corpus(config, name)
        assert set(corpus.splits) <= set(config.toml(f"gold/{name}.toml")["splits"])


@pytest.mark.data
def test_cli_scores_predictions_and_runs_a_model(config: Config, tmp_path: Path) -> None:
    gold = gold_docs(config, "conll04", "dev")
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(d.to_record()) + "\n" for d in gold), encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(
        app, ["evaluate", "ner", "--gold", "conll04:dev", "--pred", str(pred), "--labels", "orig"]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["micro"]["f1"] == 1.0  # gold scored against itself
    out = runner.invoke(app, ["evaluate", "relations", "--gold", "conll04:dev", "--pred", str(pred)])
    assert out.exit_code == 0 and json.loads(out.stdout)["micro"]["f1"] == 1.0
    out = runner.invoke(app, ["evaluate", "ner", "--gold", "nosuch:dev", "--pred", str(pred)])
    assert out.exit_code == 2 and "unknown corpus" in out.output


def test_cli_runs_a_model_on_a_gold_file(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(_gold().to_record()) + "\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["evaluate", "--gold", str(gold), "--model", "baseline"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    assert {"ner (schema)", "relations (schema)", "triples (schema)"} <= set(result)


def test_cli_ensemble_takes_taggers_only(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(_gold().to_record()) + "\n", encoding="utf-8")
    out = CliRunner().invoke(
        app, ["evaluate", "--gold", str(gold), "--model", "baseline", "--ensemble", str(tmp_path)]
    )
    assert out.exit_code == 2
    assert "--ensemble combines taggers" in out.output
