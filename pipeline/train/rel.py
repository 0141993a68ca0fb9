"""Training and applying the relation head (pipeline/model/rel.py) on canonical gold corpora.

Training uses the gold mentions; model selection is by strict relation F1 on the dev corpora with gold mentions
(dev only). `RelPredictor.predict_docs` takes documents with mentions (gold or predicted by the NER tagger) and
returns them with relations, each with its probability in `meta["relation_scores"]`.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from pipeline import metrics
from pipeline.config import Config
from pipeline.device import autocast, token_batches
from pipeline.gold.format import GoldDocument, GoldRelation
from pipeline.model.encoder import encoder_path, load_encoder, load_tokenizer
from pipeline.model.rel import (
    NONE,
    PairExample,
    RelationHead,
    encode_pairs,
    pair_examples,
    relation_decisions,
)
from pipeline.train.common import load_corpora, optimiser, platt, save_checkpoint, start_run, step

DEFAULTS: dict[str, Any] = {
    "labels": "schema",
    "train": [],
    "dev": [],
    "epochs": 4,
    "batch_size": 16,
    "lr": 5e-5,
    "head_lr": 1e-3,
    "warmup": 0.1,
    "weight_decay": 0.01,
    "max_pieces": 256,
    "context_sentences": 2,
    "none_weight": 0.3,
    "seed": 13,
    "threads": 2,
    "dropout": 0.1,
    "attention_dropout": None,  # dropout on the encoder's attention probabilities; None: its own 0.1
}


class RelPredictor:
    def __init__(self, model: RelationHead, tokenizer, settings: dict[str, Any], config: Config) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.settings = settings
        self.config = config
        self.rel_index = {r: i for i, r in enumerate(model.relations)}
        self.type_index = {t: i for i, t in enumerate(model.entity_types)}
        self.device = "cpu"  # where `model` lives (`NewsPredictor.load` moves it)

    @classmethod
    def load(cls, folder: Path, config: Config | None = None) -> RelPredictor:
        from safetensors.torch import load_file

        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        model = RelationHead(load_encoder(), cfg["relations"], cfg["entity_types"], dropout=0.0)
        model.load_state_dict({k: v.float() for k, v in load_file(str(folder / "model.safetensors")).items()})
        return cls(model, load_tokenizer(), cfg["settings"], config or Config())

    @torch.no_grad()
    def predict_docs(self, docs: Sequence[GoldDocument], batch_size: int = 32) -> list[GoldDocument]:
        """Documents with relations between their mentions, each with its probability in
        `meta["relation_scores"]`. Contexts of all documents are encoded together, sorted by length."""
        schema = self.config.schema
        labels = self.settings["labels"]
        temperature = float(self.settings.get("rel_temperature", 1.0))
        size = int(self.settings["context_sentences"])
        contexts = [
            (n, ex)
            for n, doc in enumerate(docs)
            for ex in pair_examples(doc, schema, size, labels, with_gold=False)
        ]
        best: list[dict[tuple[int, int], tuple[str, float]]] = [{} for _ in docs]
        dev, budget = self.device, int(self.settings.get("batch_tokens") or 1 << 30)
        max_pieces = int(self.settings["max_pieces"])
        # padded size estimated from words (a word is about 1.3 sub-words; the budget leaves room for that)
        lengths = [min(max_pieces, len(ex.words) + 2) for _, ex in contexts]
        for order in token_batches(lengths, budget, batch_size):
            chunk = [contexts[k] for k in order]
            batch = encode_pairs(
                self.tokenizer,
                [ex for _, ex in chunk],
                self.rel_index,
                self.type_index,
                int(self.settings["max_pieces"]),
            )
            if not batch.refs:
                continue
            with autocast(dev):
                logits = self.model.logits(batch.to(dev))
            scores, ids = relation_decisions(logits, temperature, float(self.settings.get("none_bias", 0.0)))
            scores, ids = scores.cpu(), ids.cpu()
            for (b, p), score, idx in zip(batch.refs, scores.tolist(), ids.tolist(), strict=True):
                n, ex = chunk[b]
                a, c, _ = ex.pairs[p]
                self.keep(best[n], docs[n], ex.mention_index[a], ex.mention_index[c], idx, score)
        return self.with_relations(docs, best)

    def keep(
        self,
        found: dict[tuple[int, int], tuple[str, float]],
        doc: GoldDocument,
        head: int,
        tail: int,
        relation: int,
        score: float,
    ) -> None:
        """Record relation `relation` (an index) between mentions `head` and `tail` of `doc` in `found`, unless
        it is "none", not allowed between their types, or a pair already holds a better-scored relation."""
        rel = self.model.relations[relation]
        if rel == NONE:
            return
        schema, labels = self.config.schema, self.settings["labels"]
        if labels == "schema" and not schema.is_allowed(
            rel, doc.mentions[head].label, doc.mentions[tail].label
        ):
            return
        key = (head, tail)
        if labels == "schema" and schema.is_symmetric(rel):
            key = (min(key), max(key))
        if score > found.get(key, ("", 0.0))[1]:
            found[key] = (rel, score)

    def with_relations(
        self, docs: Sequence[GoldDocument], best: Sequence[dict[tuple[int, int], tuple[str, float]]]
    ) -> list[GoldDocument]:
        """`docs` with the relations kept for each, in mention order, with their (Platt-mapped) scores."""
        scaling = self.settings.get("relation_platt")
        out = []
        for doc, found in zip(docs, best, strict=True):
            items = sorted(found.items())
            relations = [GoldRelation(head=h, tail=t, orig=r, label=r) for (h, t), (r, _) in items]
            scores_out = [round(platt(s, scaling), 4) for _, (_, s) in items]
            out.append(
                replace(doc, relations=tuple(relations), meta={**doc.meta, "relation_scores": scores_out})
            )
        return out


def evaluate(predictor: RelPredictor, docs: Sequence[GoldDocument]) -> dict[str, Any]:
    """Strict relation scores with gold mentions (relation classification)."""
    inputs = [replace(d, relations=()) for d in docs]
    pred = predictor.predict_docs(inputs)
    return metrics.score_relations(docs, pred, labels=predictor.settings["labels"])


def train_rel(
    settings: dict[str, Any],
    out_dir: Path,
    config: Config | None = None,
    data: str | Path | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    s, say = start_run(DEFAULTS, settings, out_dir, log)
    config = config or Config()
    tokenizer = load_tokenizer()
    schema = config.schema
    train_docs = load_corpora(config, s["train"], data)
    dev_docs = load_corpora(config, s["dev"], data)
    size, labels = int(s["context_sentences"]), s["labels"]
    train_ex: list[PairExample] = [ex for d in train_docs for ex in pair_examples(d, schema, size, labels)]
    if labels == "schema":
        relations, types = list(schema.relations), list(schema.entity_types)
    else:
        relations = sorted({p[2] for ex in train_ex for p in ex.pairs} - {NONE})
        types = sorted({e[2] for ex in train_ex for e in ex.entities})
    model = RelationHead(
        load_encoder(attention_dropout=s["attention_dropout"]), relations, types, dropout=float(s["dropout"])
    )
    rel_index = {r: i for i, r in enumerate(model.relations)}
    type_index = {t: i for i, t in enumerate(types)}
    n_pos = sum(1 for ex in train_ex for p in ex.pairs if p[2] != NONE)
    n_all = sum(len(ex.pairs) for ex in train_ex)
    say(
        f"train {len(train_docs)} docs, {len(train_ex)} contexts, {n_all} pairs ({n_pos} related); dev {len(dev_docs)}"
    )
    rng = random.Random(int(s["seed"]))
    bs = int(s["batch_size"])
    optim, sched = optimiser(model, s, math.ceil(len(train_ex) / bs) * int(s["epochs"]))
    weights = torch.ones(len(model.relations))
    weights[0] = float(s["none_weight"])
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    best: dict[str, Any] = {"f1": -1.0}
    for epoch in range(1, int(s["epochs"]) + 1):
        model.train()
        order = list(range(len(train_ex)))
        rng.shuffle(order)
        t0, running, n = time.perf_counter(), 0.0, 0
        for k in range(0, len(order), bs):
            batch = encode_pairs(
                tokenizer,
                [train_ex[i] for i in order[k : k + bs]],
                rel_index,
                type_index,
                int(s["max_pieces"]),
            )
            if not batch.refs:
                continue
            loss = step(model, optim, sched, loss_fn(model.logits(batch), batch.labels))
            running, n = running + loss, n + 1
            if n % 50 == 0:
                say(f"epoch {epoch} batch {n} loss {running / 50:.4f}")
                running = 0.0
        predictor = RelPredictor(model, tokenizer, s, config)
        scores = evaluate(predictor, dev_docs) if dev_docs else {"micro": {"f1": 0.0}}
        f1 = scores["micro"]["f1"]
        say(f"epoch {epoch} done in {time.perf_counter() - t0:.0f} s; dev strict F1 (gold mentions) {f1:.4f}")
        if f1 > best["f1"]:
            best = {"f1": f1, "epoch": epoch, "dev": scores}
            cfg = {
                "kind": "rel",
                "relations": model.relations,
                "entity_types": types,
                "settings": s,
                "encoder": encoder_path().name,
                "best_epoch": epoch,
                "dev": {k: scores[k] for k in ("micro", "macro", "per_type")},
            }
            save_checkpoint(model, out_dir, cfg)
    say(f"best epoch {best['epoch']} dev strict F1 {best['f1']:.4f}")
    say.close()
    return best
