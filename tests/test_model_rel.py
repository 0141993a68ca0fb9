"""The relation head: candidate pairs from the schema, and a tiny random model that must learn two documents'
relations and give the same answer after a save/load round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from pipeline.config import Config  # noqa: E402
from pipeline.gold.format import GoldDocument, GoldMention, GoldRelation  # noqa: E402
from pipeline.model.rel import NONE, RelationHead, encode_pairs, pair_examples  # noqa: E402


def _doc(
    doc_id: str, text: str, mentions: list[tuple[str, str]], relations: list[tuple[int, str, int]]
) -> GoldDocument:
    ms = []
    for surface, label in mentions:
        start = text.index(surface)
        ms.append(GoldMention(start=start, end=start + len(surface), text=surface, orig=label, label=label))
    rels = tuple(GoldRelation(head=h, tail=t, orig=r, label=r) for h, r, t in relations)
    return GoldDocument(
        doc_id, "toy", "train", text, sentences=((0, len(text)),), mentions=tuple(ms), relations=rels
    )


DOCS = [
    _doc(
        "a",
        "Amnesty International, a London-based group, accused Kalvar of torture.",
        [("Amnesty International", "ORG"), ("London", "LOC"), ("Kalvar", "COUNTRY")],
        [(0, "based_in", 1), (0, "alleges", 2)],
    ),
    _doc(
        "b",
        "Anna Roth, a spokeswoman for the Interior Ministry, met Kalvar's envoy.",
        [("Anna Roth", "PERSON"), ("Interior Ministry", "AGENCY"), ("Kalvar", "COUNTRY")],
        [(0, "works_for", 1), (0, "meets", 2)],
    ),
]


def test_candidates_follow_the_schema(config: Config) -> None:
    (ex,) = pair_examples(DOCS[0], config.schema)
    pairs = {(ex.entities[a][2], ex.entities[b][2], label) for a, b, label in ex.pairs}
    assert ("ORG", "LOC", "based_in") in pairs and ("ORG", "COUNTRY", "alleges") in pairs
    assert ("LOC", "ORG", NONE) not in pairs  # no relation allows LOC -> ORG


def test_tiny_head_learns_and_reloads(config: Config, tmp_path: Path) -> None:
    from safetensors.torch import load_file, save_file

    from pipeline.model.encoder import load_tokenizer
    from pipeline.train.rel import DEFAULTS, RelPredictor
    from tests.test_model_ner import tiny_encoder

    torch.manual_seed(0)
    tokenizer = load_tokenizer()
    schema = config.schema
    model = RelationHead(
        tiny_encoder(tokenizer),
        list(schema.relations),
        list(schema.entity_types),
        type_dim=8,
        dist_dim=4,
        hidden=32,
        dropout=0.0,
    )
    rel_index = {r: i for i, r in enumerate(model.relations)}
    type_index = {t: i for i, t in enumerate(schema.entity_types)}
    examples = [ex for d in DOCS for ex in pair_examples(d, schema)]
    batch = encode_pairs(tokenizer, examples, rel_index, type_index, 64)
    optim = torch.optim.Adam(model.parameters(), lr=5e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(60):
        logits = model.logits(batch)
        loss = loss_fn(logits, batch.labels)
        optim.zero_grad()
        loss.backward()
        optim.step()
    assert loss.item() < 0.05
    settings = {**DEFAULTS, "context_sentences": 1}
    pred = RelPredictor(model, tokenizer, settings, config).predict_docs(DOCS)
    for gold, got in zip(DOCS, pred, strict=True):
        want = {(r.head, r.label, r.tail) for r in gold.relations}
        have = {(r.head, r.label, r.tail) for r in got.relations}
        if "meets" in {r.label for r in gold.relations}:  # symmetric: stored in either order
            have = {(min(h, t), r, max(h, t)) if r == "meets" else (h, r, t) for h, r, t in have}
            want = {(min(h, t), r, max(h, t)) if r == "meets" else (h, r, t) for h, r, t in want}
        assert have == want
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "m.safetensors"))
    again = RelationHead(
        tiny_encoder(tokenizer),
        list(schema.relations),
        list(schema.entity_types),
        type_dim=8,
        dist_dim=4,
        hidden=32,
        dropout=0.0,
    )
    again.load_state_dict(load_file(str(tmp_path / "m.safetensors")))
    pred2 = RelPredictor(again, tokenizer, settings, config).predict_docs(DOCS)
    assert [d.relations for d in pred2] == [d.relations for d in pred]
