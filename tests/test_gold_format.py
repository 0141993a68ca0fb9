"""The canonical gold format: text building, tag/span conversion in three schemes, offset checks, and the JSON
Schema of its records."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.errors import DataError
from pipeline.gold.format import (
    GoldDocument,
    GoldMention,
    GoldRelation,
    TextBuilder,
    spans_to_tags,
    tags_to_spans,
)
from pipeline.records import json_schema, validate

from .conftest import gold_docs

SCHEMES = ("iob1", "iob2", "bilou")


def test_text_builder_offsets() -> None:
    builder = TextBuilder()
    assert builder.add_sentence(["Italy", "joined", "NATO", "."]) == 0
    assert builder.add_sentence(["Rome", "agreed"]) == 4
    assert builder.text == "Italy joined NATO .\nRome agreed"
    assert builder.tokens == [(0, 5), (6, 12), (13, 17), (18, 19), (20, 24), (25, 31)]
    assert builder.sentences == [(0, 19), (20, 31)]
    assert builder.sentence_first_token == [0, 4]
    assert builder.span(1, 3) == (6, 17)
    assert builder.text[slice(*builder.span(4, 5))] == "Rome"
    spaced = TextBuilder(sentence_sep="\n\n")
    spaced.add_sentence(["a"])
    spaced.add_sentence([])  # an empty sentence keeps its place
    spaced.add_sentence(["b"])
    assert spaced.text == "a\n\n\n\nb"
    assert spaced.sentences == [(0, 1), (3, 3), (5, 6)]


@pytest.mark.parametrize(
    ("scheme", "tags", "spans"),
    [
        (
            "iob2",
            ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC"],
            [(0, 2, "PER"), (3, 4, "LOC"), (4, 6, "LOC")],
        ),
        # IOB1 (original CoNLL-2003): B- only where a span follows one of the same type
        (
            "iob1",
            ["I-LOC", "I-LOC", "B-LOC", "O", "I-PER", "I-ORG"],
            [(0, 2, "LOC"), (2, 3, "LOC"), (4, 5, "PER"), (5, 6, "ORG")],
        ),
        (
            "bilou",
            ["U-PER", "B-ORG", "I-ORG", "L-ORG", "O", "U-LOC", "U-LOC"],
            [(0, 1, "PER"), (1, 4, "ORG"), (5, 6, "LOC"), (6, 7, "LOC")],
        ),
        ("bilou", ["B-ORG", "L-ORG", "B-LOC", "L-LOC"], [(0, 2, "ORG"), (2, 4, "LOC")]),
        ("iob2", [], []),
        ("iob2", ["O", "O"], []),
    ],
)
def test_tags_to_spans_by_hand(scheme: str, tags: list[str], spans: list[tuple[int, int, str]]) -> None:
    assert tags_to_spans(tags, scheme) == spans
    assert spans_to_tags(len(tags), spans, scheme) == tags


def test_ill_formed_iob2_starts_read_as_conlleval_does() -> None:
    # an I- that cannot continue the open span starts a new one; writing the spans back makes it a B-
    tags = ["I-PER", "I-LOC", "O", "I-ORG", "I-ORG"]
    spans = [(0, 1, "PER"), (1, 2, "LOC"), (3, 5, "ORG")]
    assert tags_to_spans(tags, "iob2") == spans
    assert spans_to_tags(5, spans, "iob2") == ["B-PER", "B-LOC", "O", "B-ORG", "I-ORG"]


def test_spans_to_tags_by_hand() -> None:
    spans = [(0, 2, "LOC"), (2, 3, "LOC"), (3, 4, "PER")]
    assert spans_to_tags(5, spans, "iob2") == ["B-LOC", "I-LOC", "B-LOC", "B-PER", "O"]
    assert spans_to_tags(5, spans, "iob1") == ["I-LOC", "I-LOC", "B-LOC", "I-PER", "O"]
    assert spans_to_tags(5, spans, "bilou") == ["B-LOC", "L-LOC", "U-LOC", "U-PER", "O"]


@st.composite
def token_spans(draw) -> tuple[int, list[tuple[int, int, str]]]:
    """A sentence length and non-overlapping typed spans in it, adjacent ones included."""
    pieces = draw(
        st.lists(st.tuples(st.integers(0, 2), st.integers(1, 4), st.sampled_from("ABC")), max_size=8)
    )
    spans, pos = [], 0
    for gap, length, typ in pieces:
        pos += gap
        spans.append((pos, pos + length, typ))
        pos += length
    return pos + draw(st.integers(0, 2)), spans


@given(token_spans(), st.sampled_from(SCHEMES))
@settings(max_examples=300, deadline=None)
def test_spans_round_trip_through_tags(sentence, scheme: str) -> None:
    n, spans = sentence
    tags = spans_to_tags(n, spans, scheme)
    assert len(tags) == n
    assert tags_to_spans(tags, scheme) == spans
    # and back again: the tags are the canonical ones for these spans
    assert spans_to_tags(n, tags_to_spans(tags, scheme), scheme) == tags


@given(st.lists(st.sampled_from(["O", "B-A", "I-A", "B-B", "I-B"]), max_size=20))
@settings(max_examples=200, deadline=None)
def test_any_iob2_tags_read_as_spans_that_round_trip(tags: list[str]) -> None:
    spans = tags_to_spans(tags, "iob2")
    assert all(0 <= s < e <= len(tags) for s, e, _ in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert tags_to_spans(spans_to_tags(len(tags), spans, "iob2"), "iob2") == spans
    # every tag that is not O lies in exactly one span
    covered = [i for s, e, _ in spans for i in range(s, e)]
    assert covered == [i for i, t in enumerate(tags) if t != "O"]


TEXT = "Safeguard Defenders is based in Madrid.\nIt accuses China."


def sample_document(**changes) -> GoldDocument:
    fields = {
        "id": "toy-1",
        "dataset": "toy",
        "split": "dev",
        "text": TEXT,
        "sentences": ((0, 39), (40, 57)),
        "tokens": (),
        "mentions": (
            GoldMention(0, 19, "Safeguard Defenders", "Org", "ORG", sentence=0),
            GoldMention(32, 38, "Madrid", "Loc", "LOC", sentence=0, cluster=3),
            GoldMention(51, 56, "China", "Other", None, sentence=1),
        ),
        "relations": (GoldRelation(0, 1, "OrgBased_In", "based_in"), GoldRelation(0, 2, "Accuse")),
        "meta": {"orig_id": 7},
    }
    return GoldDocument(**(fields | changes))


def test_check_accepts_a_good_document_and_round_trips() -> None:
    doc = sample_document()
    doc.check()
    assert GoldDocument.from_record(doc.to_record()) == doc


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sentences": ((0, 99),)}, r"sentence span \[0, 99\) outside the text"),
        ({"tokens": ((5, 3),)}, r"token span \[5, 3\) outside"),
        ({"mentions": (GoldMention(50, 60, "China.", "Loc"),)}, r"mention 0 \[50, 60\) outside"),
        ({"mentions": (GoldMention(3, 3, "", "Loc"),)}, "mention 0 .* outside"),
        (
            {"mentions": (GoldMention(0, 9, "Safeguards", "Org"),)},
            r"mention 0 \[0, 9\) slices to 'Safeguard', not 'Safeguards'",
        ),
        ({"mentions": (GoldMention(51, 56, "China", "Loc", sentence=2),)}, "mention 0 names sentence 2 of 2"),
        ({"relations": (GoldRelation(0, 3, "x"),)}, "relation 0 names a mention that does not exist"),
    ],
)
def test_check_errors(changes: dict, message: str) -> None:
    with pytest.raises(DataError, match=f"toy-1: {message}"):
        sample_document(**changes).check()


# The JSON Schema of gold records


def test_gold_schema_is_valid_and_uses_the_schema_labels(config: Config) -> None:
    schema = json_schema("gold")
    jsonschema.Draft202012Validator.check_schema(schema)
    defs = schema["$defs"]
    assert set(defs["mention"]["properties"]["label"]["enum"]) == {*config.schema.entity_types, None}
    assert set(defs["relation"]["properties"]["label"]["enum"]) == {*config.schema.relations, None}
    # every field of the record is required, so the schema describes to_record exactly
    record = sample_document().to_record()
    assert set(schema["required"]) == set(record)
    assert set(defs["mention"]["required"]) == set(record["mentions"][0])
    assert set(defs["relation"]["required"]) == set(record["relations"][0])


def test_gold_records_validate() -> None:
    validate("gold", sample_document().to_record())
    builder = TextBuilder()
    builder.add_sentence(["Italy", "met", "China"])
    tokenised = GoldDocument(
        "t",
        "toy",
        "test",
        builder.text,
        tuple(builder.sentences),
        (
            GoldMention(0, 5, "Italy", "gpe0", "COUNTRY", 0, 0),
            GoldMention(10, 15, "China", "gpe0", "COUNTRY", 0, 1),
        ),
        (GoldRelation(0, 1, "is_meeting", "meets"),),
        tuple(builder.tokens),
    )
    validate("gold", tokenised.to_record())
    validate("gold", GoldDocument("empty", "toy", "test", "").to_record())


@pytest.mark.parametrize(
    "breakage",
    [
        lambda r: r.pop("meta"),
        lambda r: r.update(extra=1),
        lambda r: r["sentences"].append([0, 1, 2]),
        lambda r: r["sentences"].append([0]),
        lambda r: r["tokens"].append([-1, 2]),
        lambda r: r["mentions"][0].update(label="MISC"),
        lambda r: r["mentions"][0].update(start="0"),
        lambda r: r["mentions"][0].pop("cluster"),
        lambda r: r["mentions"][1].update(cluster=True),
        lambda r: r["relations"][0].update(label="Work_For"),
        lambda r: r["relations"][1].pop("orig"),
        lambda r: r.update(mentions={}),
    ],
)
def test_gold_schema_rejects_broken_records(breakage) -> None:
    record = sample_document().to_record()
    breakage(record)
    with pytest.raises(jsonschema.ValidationError):
        validate("gold", record)


@pytest.mark.data
def test_converted_corpus_records_validate(config: Config) -> None:
    docs = gold_docs(config, "conll04", "dev")
    assert docs
    for doc in docs[:50]:
        validate("gold", doc.to_record())


def test_heldout_check_compares_long_sentences_by_their_tokens() -> None:
    """scripts/heldout_check.py: tokenised sentences of 8 tokens or more, as token tuples; short ones left out."""
    import importlib.util

    script = Path(__file__).resolve().parent.parent / "scripts" / "heldout_check.py"
    spec = importlib.util.spec_from_file_location("heldout_check", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = "OSLO 2024-03-11\nThe harbour authority said the ferry link would reopen on Monday ."
    cut = text.index("\n")
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    doc = GoldDocument(
        "d", "conll2003", "test", text, sentences=((0, cut), (cut + 1, len(text))), tokens=tuple(tokens)
    )
    assert module.sentences(doc) == {tuple(text[cut + 1 :].split())}
    plain = GoldDocument("p", "newsgold", "train", "The ministry said on Monday it had fined the company.")
    assert module.sentences(plain) == {tuple(plain.text.split())}
    shipped = module.shipped_corpora(Config())  # from the shipped model's config.json
    assert {"conll2003:train", "newsgold:train"} <= set(shipped) and len(shipped) == len(set(shipped))
