"""CoNLL-2003 and CoNLL++: reading column files, lossless conversion, the reviewed standoff list and the COUNTRY
mapping measured against CrossRE. Tests marked `data` read the corpora at runtime and skip when they are absent."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.gold import store
from pipeline.gold.conll2003 import make_document, read_columns, sentence_token_span
from pipeline.gold.format import GoldDocument, spans_to_tags
from pipeline.gold.refine import Mapper
from pipeline.gold.spec import load_spec
from tests.conftest import gold_docs

SPLITS = ["train", "dev", "test"]

# Invented sentences in the CoNLL column layout; the copy of eng.* we read closes documents with -DOCSTART-.
CLOSING_DOCSTART = """Acme NNP I-NP I-ORG
met VBD I-VP O
Ruritania NNP I-NP I-LOC
. . O O

Zenda NNP I-NP I-LOC
rains VBZ I-VP O

-DOCSTART- -X- O O

Bob NNP I-NP I-PER
Smith NNP I-NP I-PER
Jones NNP I-NP B-PER

-DOCSTART- -X- O O"""
OPENING_DOCSTART = "-DOCSTART- -X- O O\n\n" + CLOSING_DOCSTART.rsplit("\n\n-DOCSTART- -X- O O", 1)[0] + "\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sample.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text", [CLOSING_DOCSTART, OPENING_DOCSTART], ids=["closing", "opening"])
def test_read_columns_splits_documents_either_way(tmp_path: Path, text: str) -> None:
    docs = read_columns(_write(tmp_path, text), sep=" ", columns=4)
    assert [len(d) for d in docs] == [2, 1]
    assert docs[0][0].tokens == ["Acme", "met", "Ruritania", "."]
    assert docs[1][0].tags == ["I-PER", "I-PER", "B-PER"]
    assert docs[0][1].column(1) == ["NNP", "VBZ"]


def test_read_columns_skips_a_malformed_sentence(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(
        logging.WARNING, logger="pipeline.gold.conll2003"
    )  # other tests may raise the root level
    docs = read_columns(_write(tmp_path, "a DT I-NP O\nb NN\n\nc NN I-NP O\n"), sep=" ", columns=4)
    assert [[s.tokens for s in d] for d in docs] == [[["c"]]]
    assert "sentence skipped" in caplog.text


def test_make_document_offsets_iob1_and_review_key(tmp_path: Path, config: Config) -> None:
    spec = load_spec(config, "conll2003")
    mapper = Mapper(spec, config)
    mapper.reviewed = {("toy-0000", 1, 0, 1): "COUNTRY"}  # "Zenda rains": the city stands for its state
    sentences = read_columns(_write(tmp_path, CLOSING_DOCSTART), sep=" ", columns=4)
    doc = make_document("toy-0000", spec, "test", sentences[0], mapper, "iob1")
    doc.check()
    assert doc.text == "Acme met Ruritania .\nZenda rains"
    assert [(m.text, m.orig, m.label, m.sentence) for m in doc.mentions] == [
        ("Acme", "ORG", "ORG", 0),
        ("Ruritania", "LOC", "LOC", 0),
        ("Zenda", "LOC", "COUNTRY", 1),
    ]
    assert [sentence_token_span(doc, m) for m in doc.mentions] == [(0, 0, 1), (0, 2, 3), (1, 0, 1)]
    people = make_document("toy-0001", spec, "test", sentences[1], mapper, "iob1")
    assert [m.text for m in people.mentions] == ["Bob Smith", "Jones"]  # B- splits two adjacent PER in IOB1


def _original_sentences(path: Path) -> list[tuple[list[str], list[str]]]:
    """(tokens, NE tags) of every sentence of a CoNLL file, read independently of the converter."""
    sentences, tokens, tags = [], [], []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip() and not line.startswith("-DOCSTART-"):
            cols = line.split(" ")
            tokens.append(cols[0])
            tags.append(cols[-1])
        elif tokens:
            sentences.append((tokens, tags))
            tokens, tags = [], []
    return sentences


def _converted_sentences(docs: list[GoldDocument], scheme: str) -> list[tuple[list[str], list[str]]]:
    """(tokens, tags) of every sentence, the tags rebuilt from the mentions' token spans and corpus labels."""
    out = []
    for doc in docs:
        spans: dict[int, list[tuple[int, int, str]]] = {}
        for m in doc.mentions:
            k, first, end = sentence_token_span(doc, m)
            spans.setdefault(k, []).append((first, end, m.orig))
        for k, (s, e) in enumerate(doc.sentences):
            tokens = [doc.text[ts:te] for ts, te in doc.tokens if ts >= s and te <= e]
            out.append((tokens, spans_to_tags(len(tokens), spans.get(k, []), scheme)))
    return out


def _source(config: Config, corpus: str, split: str) -> Path:
    spec = load_spec(config, corpus)
    return spec.source(store.data_dir(config)) / spec.splits[split]


@pytest.mark.data
@pytest.mark.parametrize(
    ("corpus", "split", "scheme"),
    [*[("conll2003", s, "iob1") for s in SPLITS], ("conllpp", "test", "iob2")],
)
def test_round_trip_is_lossless(config: Config, corpus: str, split: str, scheme: str) -> None:
    docs = gold_docs(config, corpus, split)
    original = _original_sentences(_source(config, corpus, split))
    converted = _converted_sentences(docs, scheme)
    assert len(converted) == len(original)
    for n, (got, want) in enumerate(zip(converted, original, strict=True)):
        assert got == want, f"{corpus} {split} sentence {n} differs after the round trip"


@pytest.mark.data
@pytest.mark.parametrize("split", SPLITS)
def test_documents_ids_sentences_and_columns(config: Config, split: str) -> None:
    docs = gold_docs(config, "conll2003", split)
    assert [d.id for d in docs] == [f"conll2003-{split}-{n:04d}" for n in range(len(docs))]
    for doc in docs:
        assert len(doc.meta["pos"]) == len(doc.meta["chunk"]) == len(doc.tokens)
        assert all(
            doc.sentences[m.sentence][0] <= m.start < m.end <= doc.sentences[m.sentence][1]
            for m in doc.mentions
        )
        assert {m.label for m in doc.mentions if m.orig == "MISC"} <= {None}
        assert {m.label for m in doc.mentions if m.orig == "PER"} <= {"PERSON"}


@pytest.mark.data
def test_conllpp_test_has_the_documents_of_conll2003_test(config: Config) -> None:
    base = gold_docs(config, "conll2003", "test")
    corrected = gold_docs(config, "conllpp", "test")
    assert [d.text for d in corrected] == [d.text for d in base]
    assert [d.meta["review_id"] for d in corrected] == [d.id for d in base]
    assert all(d.id.startswith("conllpp-test-") for d in corrected)


def _reviewed_rows(config: Config) -> list[list[str]]:
    path = config.path("gold") / "conll2003.reviewed.tsv"
    with path.open(encoding="utf-8") as f:
        return [row for row in csv.reader(f, delimiter="\t") if row and not row[0].startswith("#")]


def test_reviewed_list_format(config: Config) -> None:
    rows = _reviewed_rows(config)
    assert rows, "the reviewed list is empty"
    keys = set()
    for row in rows:
        assert len(row) == 5, row
        doc, sent, first, end, label = row
        assert doc.startswith(("conll2003-train-", "conll2003-dev-", "conll2003-test-")), row
        assert int(sent) >= 0 and 0 <= int(first) < int(end), row
        assert label in config.schema.entity_types and label in {"AGENCY", "COUNTRY"}, row
        keys.add((doc, sent, first, end))
    assert len(keys) == len(rows), "a mention is listed twice"


@pytest.mark.data
def test_reviewed_rows_name_real_mentions_and_take_effect(config: Config) -> None:
    found: dict[tuple[str, int, int, int], tuple[str, str | None]] = {}
    for corpus, splits in (("conll2003", SPLITS), ("conllpp", ["test"])):
        for split in splits:
            for doc in gold_docs(config, corpus, split):
                for m in doc.mentions:
                    key = (doc.meta.get("review_id", doc.id), *sentence_token_span(doc, m))
                    found.setdefault(key, (m.orig, m.label))
    for doc, sent, first, end, label in _reviewed_rows(config):
        key = (doc, int(sent), int(first), int(end))
        assert key in found, f"reviewed row {key} names no mention"
        orig, mapped = found[key]
        assert orig in ("ORG", "LOC"), f"reviewed row {key} is a {orig} mention"
        assert mapped == label


@pytest.mark.data
def test_country_mapping_against_crossre(config: Config) -> None:
    from pipeline.gold.country_check import country_mapping_scores

    if not (store.data_dir(config) / "crossre").is_dir():
        pytest.skip("CrossRE data not found")
    gold_docs(config, "conll2003", "test")  # skips without CoNLL-2003
    r = country_mapping_scores(config)
    assert r["aligned_sentences"] >= 0.99 * r["crossre_sentences"]
    assert r["precision"] == r["tp"] / (r["tp"] + r["fp"])
    assert r["recall"] == r["tp"] / (r["tp"] + r["fn"])
    assert sum(s["tp"] for s in r["by_split"].values()) == r["tp"]
    assert len(r["disagreements"]) == r["fp"] + r["fn"]
    # CrossRE's train file tags most country names `location`; its dev and test files follow the `country` type
    for split in ("dev", "test"):
        assert r["by_split"][split]["precision"] >= 0.9, r["by_split"][split]
        assert r["by_split"][split]["recall"] >= 0.75, r["by_split"][split]
