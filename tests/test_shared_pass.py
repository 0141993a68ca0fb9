"""The shared encoder pass (`encoder_pass = "shared"`): chunks of whole sentences, one pass for both heads, the
same answers as two passes where the inputs are the same, and the spaCy components handing relations over."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from pipeline.config import Config  # noqa: E402
from pipeline.errors import ConfigError  # noqa: E402
from pipeline.gold.format import GoldDocument  # noqa: E402
from pipeline.train.shared import chunk_ranges  # noqa: E402
from tests.test_model_joint import DOCS, TEXTS, _triples, tiny_model  # noqa: E402, F401


def _shared(folder: Path, tmp_path: Path, **settings: object) -> Path:
    out = tmp_path / "shared"
    shutil.copytree(folder, out)
    cfg = json.loads((out / "config.json").read_text(encoding="utf-8"))
    cfg["settings"].update(encoder_pass="shared", **settings)
    (out / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    return out


def test_chunks_pack_whole_sentences_and_overlap_by_one() -> None:
    # four sentences of 2 sub-words each, 5 per chunk: sentences (0, 1), (1, 2), (2, 3)
    assert chunk_ranges([[1, 1]] * 4, budget=5, stride=1) == [(0, 4), (2, 6), (4, 8)]
    # a sentence too long for any chunk goes in windows of its own; its neighbours are not packed with it
    ranges = chunk_ranges([[1, 1, 1], [2, 2], [1] * 10, [3]], budget=6, stride=2)
    assert ranges[:2] == [(0, 3), (3, 5)] and ranges[-1] == (15, 16)
    covered = {w for a, b in ranges for w in range(a, b)}
    assert covered == set(range(16))
    long = [r for r in ranges if 5 <= r[0] < 15]
    assert len(long) >= 2 and all(b - a <= 6 for a, b in long)
    assert chunk_ranges([], budget=5, stride=1) == []


def test_one_pass_gives_the_two_pass_answers_on_one_sentence_documents(
    tiny_model: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    from pipeline.train.joint import NewsPredictor, evaluate

    two = NewsPredictor.load(tiny_model, Config())
    one = NewsPredictor.load(_shared(tiny_model, tmp_path), Config())
    bare = [GoldDocument(d.id, "", "", d.text, sentences=d.sentences) for d in DOCS]
    a, b = two.predict_docs(bare), one.predict_docs(bare)
    # one sentence per document: the chunk is the sentence, so the encoder sees the same input either way
    assert [d.mentions for d in b] == [d.mentions for d in a]
    assert [_triples(d) for d in b] == [_triples(d) for d in a] == [_triples(d) for d in DOCS]
    for x, y in zip(a, b, strict=True):
        assert y.meta["relation_scores"] == pytest.approx(x.meta["relation_scores"], abs=1e-3)
        assert y.meta["mention_scores"] == pytest.approx(x.meta["mention_scores"], abs=1e-3)
        assert y.meta["windows"] == 1
    given = one.relate([replace(d, relations=()) for d in DOCS])
    assert [_triples(d) for d in given] == [_triples(d) for d in DOCS]
    assert evaluate(one, DOCS)["relations_end_to_end"]["micro"]["f1"] == 1.0


def test_long_documents_are_chunked_not_truncated(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    from pipeline.model.encoder import load_tokenizer
    from pipeline.model.ner import examples_from_doc
    from pipeline.train.joint import NewsPredictor
    from pipeline.train.shared import chunk_examples

    one = NewsPredictor.load(_shared(tiny_model, tmp_path, chunk_pieces=12, context_sentences=2), Config())
    parts = [t for t, _, _ in TEXTS] * 3
    text = " ".join(parts)
    starts = [sum(len(p) + 1 for p in parts[:k]) for k in range(len(parts))]
    sentences = tuple((s, s + len(p)) for s, p in zip(starts, parts, strict=True))
    doc = GoldDocument("long", "", "", text, sentences=sentences)
    [got] = one.predict_docs([doc])
    chunks = chunk_examples(doc, load_tokenizer(), 12, int(one.settings["stride"]))
    assert got.meta["windows"] == len(chunks) > len(sentences)  # each sentence is over 10 sub-words
    words = {sp for ex in examples_from_doc(doc) for sp in ex.spans}
    assert {sp for c in chunks for sp in c.spans} == words  # every word is in a chunk
    for m in got.mentions:
        assert text[m.start : m.end] == m.text
    # every name of every repeated sentence is found, wherever its windows fall
    assert sum(m.text == "Amnesty International" for m in got.mentions) == 3


def test_spacy_components_hand_the_relations_over(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    import spacy

    from pipeline.components import STASH

    folder = _shared(tiny_model, tmp_path)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("news_ner", config={"model": str(folder)})
    nlp.add_pipe("news_rel", config={"model": str(folder)})
    docs = list(nlp.pipe([t for t, _, _ in TEXTS]))
    got = {(r.head.text, r.relation, r.tail.text) for r in docs[0]._.relations}
    assert got == {
        ("Amnesty International", "based_in", "London"),
        ("Amnesty International", "alleges", "Kalvar"),
    }
    assert all(STASH not in d.user_data for d in docs)  # consumed by news_rel
    # entities changed between the two components: the relations are predicted again for the new entities
    doc = nlp.get_pipe("news_ner")(nlp.get_pipe("sentencizer")(nlp.make_doc(TEXTS[0][0])))
    doc.ents = [e for e in doc.ents if e.text != "London"]
    doc = nlp.get_pipe("news_rel")(doc)
    assert {(r.head.text, r.relation, r.tail.text) for r in doc._.relations} == {
        ("Amnesty International", "alleges", "Kalvar")
    }


def test_int8_is_refused_for_a_shared_pass_model(
    tiny_model: Path,  # noqa: F811
    tmp_path: Path,
    config: Config,
) -> None:
    from pipeline.run import run_extract
    from pipeline.train.joint import NewsPredictor

    folder = _shared(tiny_model, tmp_path)
    with pytest.raises(ConfigError, match="--fp32"):
        NewsPredictor.load(folder, Config(), int8=True)
    # a run refuses before its first document, instead of failing every document
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": TEXTS[0][0]}) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="--fp32"):
        run_extract([str(src)], tmp_path / "out", config=config, extractor=str(folder), int8=True)
    assert not (tmp_path / "out" / "documents.jsonl").exists()


def test_bench_times_the_shared_pass_beside_two_passes(
    tiny_model: Path,  # noqa: F811
    tmp_path: Path,
    config: Config,
) -> None:
    from pipeline.bench import markdown, run_bench

    src = Path(__file__).resolve().parent.parent / "corpus" / "sample" / "feed.jsonl"
    result = run_bench(config, [str(src)], str(_shared(tiny_model, tmp_path)), repeat=1, rounds=1)
    systems = result["systems"]
    assert systems["model_two_pass"]["words"] == systems["model"]["words"] > 0
    assert "model_int8" not in systems  # no relation pass of its own to quantise
    assert "two encoder passes (peer)" in markdown(result, "make bench")


def test_shared_pass_under_bfloat16_autocast(tiny_model: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: F811
    """The GPU path's mixed precision for the shared pass, exercised on the CPU: the same answers."""
    from pipeline.train import shared
    from pipeline.train.joint import NewsPredictor

    folder = _shared(tiny_model, tmp_path)
    bare = [GoldDocument(d.id, "", "", d.text, sentences=d.sentences) for d in DOCS]
    expected = [_triples(d) for d in NewsPredictor.load(folder, Config()).predict_docs(bare)]
    used = []

    def bf16(device: str):
        used.append(device)
        return torch.autocast("cpu", dtype=torch.bfloat16)

    monkeypatch.setattr(shared, "autocast", bf16)
    docs = NewsPredictor.load(folder, Config()).predict_docs(bare)
    assert len(used) >= 2 and [_triples(d) for d in docs] == expected
    assert all(isinstance(s, float) for d in docs for s in d.meta["relation_scores"])
