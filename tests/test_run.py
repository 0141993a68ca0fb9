"""End-to-end runs: the four outputs, their schemas, offsets, determinism, and nothing lost on bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipeline.records import validate
from pipeline.run import run_extract

from .conftest import SAMPLE, SHARED_SAMPLE, read_jsonl


def test_sample_run_writes_four_valid_outputs(sample_run: Path) -> None:
    docs = read_jsonl(sample_run / "documents.jsonl")
    ents = read_jsonl(sample_run / "entities.jsonl")
    triples = read_jsonl(sample_run / "triples.jsonl")
    manifest = json.loads((sample_run / "manifest.json").read_text(encoding="utf-8"))
    for kind, records in (
        ("document", docs),
        ("entity", ents),
        ("triple", triples),
        ("manifest", [manifest]),
    ):
        for record in records:
            validate(kind, record)
    assert manifest["counts"]["documents"] == len(docs)
    assert manifest["counts"]["entities"] == len(ents) and manifest["counts"]["triples"] == len(triples)
    assert manifest["extractor"]["name"] == "baseline" and manifest["models"]["spacy"].endswith("3.8.0")


def test_offsets_slice_to_mentions(sample_run: Path) -> None:
    texts = {d["id"]: d["text"] for d in read_jsonl(sample_run / "documents.jsonl")}
    for e in read_jsonl(sample_run / "entities.jsonl"):
        assert texts[e["doc_id"]][e["start"] : e["end"]] == e["text"]
    for t in read_jsonl(sample_run / "triples.jsonl"):
        text = texts[t["doc_id"]]
        for m in (t["head"], t["tail"], t["trigger"]):
            if m is not None:
                assert text[m["start"] : m["end"]] == m["text"]
                assert m["start"] >= 0 and m["end"] <= len(text)
        assert t["head"]["text"] in t["evidence"] and t["tail"]["text"] in t["evidence"]


def test_every_sample_article_yields_triples(sample_run: Path) -> None:
    docs = read_jsonl(sample_run / "documents.jsonl")
    triples = read_jsonl(sample_run / "triples.jsonl")
    articles = [d for d in docs if d["status"] == "ok"]
    assert len(articles) == 12
    with_triples = {t["doc_id"] for t in triples}
    assert all(d["id"] in with_triples for d in articles)
    found = {(t["head"]["text"], t["relation"], t["tail"]["text"]) for t in triples}
    for expected in [
        ("Meridian Justice", "based_in", "London"),
        ("Ministry of Intelligence", "part_of", "Iran"),
        ("Meridian Justice", "alleges", "Iran"),
        ("Finland", "alleges", "Russia"),
        ("Federal Cartel Office", "based_in", "Bonn"),
        ("Henrik Aalto", "leads", "NATO"),
    ]:
        assert expected in found


def test_runs_are_byte_identical(sample_run: Path, tmp_path: Path, config) -> None:
    run_extract([str(SAMPLE)], tmp_path, config=config, extractor="baseline")
    for name in ("documents.jsonl", "entities.jsonl", "triples.jsonl"):
        assert (tmp_path / name).read_bytes() == (sample_run / name).read_bytes(), name
    a = json.loads((tmp_path / "manifest.json").read_text())
    b = json.loads((sample_run / "manifest.json").read_text())
    a.pop("seconds"), b.pop("seconds")
    assert a == b


@pytest.mark.skipif(not SHARED_SAMPLE.exists(), reason="../shared/samples/scraped-article.txt is not present")
def test_baseline_on_the_shared_sample_gives_based_in(tmp_path: Path, config) -> None:
    run_extract([str(SHARED_SAMPLE)], tmp_path, config=config, extractor="baseline")
    triples = read_jsonl(tmp_path / "triples.jsonl")
    found = {(t["head"]["text"], t["relation"], t["tail"]["text"]) for t in triples}
    assert ("Safeguard Defenders", "based_in", "Madrid") in found
    assert ("Ministry of Public Security", "part_of", "China") in found
    (doc,) = read_jsonl(tmp_path / "documents.jsonl")
    assert "Latest Stories" not in doc["text"] and doc["removed"]["blocks"] > 10


def test_bad_inputs_all_end_in_documents_jsonl(tmp_path: Path, config) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (src / "latin1.txt").write_bytes("Le ministère a confirmé. ".encode("latin-1") * 3)
    packed = gzip.compress(b"The ministry said. " * 300)
    (src / "trunc.txt.gz").write_bytes(packed[: len(packed) // 2])
    (src / "feed.jsonl").write_text(
        '{"id": "good", "text": "Poland expelled two diplomats from Belarus on Monday."}\n'
        '{not json\n{"id": "notext"}\n',
        encoding="utf-8",
    )
    (src / "nobody.html").write_text(
        "<html><head><title>Nothing</title></head><body></body></html>", encoding="utf-8"
    )
    (src / "menu.txt").write_text("Home\nWorld\nSport\n", encoding="utf-8")
    (src / "image.png").write_bytes(b"\x89PNG\r\n")
    out = tmp_path / "out"
    manifest = run_extract([str(src)], out, config=config)
    docs = {d["id"]: d for d in read_jsonl(out / "documents.jsonl")}
    expected = {
        "in/empty.txt": "empty",
        "in/binary.txt": "skipped",
        "in/latin1.txt": "ok",
        "in/trunc.txt.gz": "error",
        "good": "ok",
        "in/feed.jsonl:2": "error",
        "notext": "error",
        "in/nobody.html": "empty",
        "in/menu.txt": "empty",
        "in/image.png": "skipped",
    }
    assert {k: d["status"] for k, d in docs.items()} == expected
    assert all(d["reason"] for d in docs.values() if d["status"] != "ok")
    assert docs["in/latin1.txt"]["warnings"]
    assert manifest["counts"]["documents"] == len(expected)


def test_existing_output_needs_force(sample_run: Path, tmp_path: Path, config) -> None:
    from pipeline.errors import PipelineError

    (tmp_path / "triples.jsonl").write_text("old\n")
    with pytest.raises(PipelineError, match="--force"):
        run_extract([str(SAMPLE / "feed.jsonl")], tmp_path, config=config)
    run_extract([str(SAMPLE / "feed.jsonl")], tmp_path, config=config, force=True)
    assert (tmp_path / "triples.jsonl").read_text() != "old\n"
    assert not list(tmp_path.glob(".*.tmp"))


def test_duplicate_ids_are_renamed_not_lost(tmp_path: Path, config) -> None:
    feed = tmp_path / "dup.jsonl"
    feed.write_text('{"id": "a", "text": "Italy met France."}\n{"id": "a", "text": "Spain met Portugal."}\n')
    run_extract([str(feed)], tmp_path / "out", config=config)
    ids = [d["id"] for d in read_jsonl(tmp_path / "out" / "documents.jsonl")]
    assert ids == ["a", "a#dup2"]


@pytest.mark.slow
def test_five_megabyte_document_runs_whole(tmp_path: Path, config) -> None:
    paragraph = (
        "The ministry said talks with Poland would continue next week in Geneva, officials said. " * 12
    )
    text = (paragraph + "\n\n") * 4_800
    assert len(text.encode()) > 5_000_000
    (tmp_path / "big.txt").write_text(text, encoding="utf-8")
    run_extract([str(tmp_path / "big.txt")], tmp_path / "out", config=config, extractor="baseline")
    (doc,) = read_jsonl(tmp_path / "out" / "documents.jsonl")
    assert doc["status"] == "ok" and doc["n_chars"] > 4_900_000
    assert doc["n_sentences"] == 12 * 4_800
