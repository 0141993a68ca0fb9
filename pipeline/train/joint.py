"""Training, calibrating and applying the shipped model (pipeline/model/joint.py): NER and relations on one encoder.

Training starts from a trained NER tagger (`init`, the output of a `kind = "ner"` run) or from the bare encoder.
Every step takes one batch of relation contexts (gold mentions, relation corpora) and one batch of NER sentences
(NER corpora), and minimises the sum of the two losses, so the tagger keeps its accuracy while the shared encoder
learns relations. The epoch is chosen on dev only, by NER F1 plus end-to-end strict relation F1 (predicted
mentions). Then, on dev:

- temperature scaling of the tag and relation probabilities (one temperature each, grid search on the negative
  log-likelihood), with the expected calibration error (ECE, 15 equal-width bins) before and after;
- per relation, the lowest score threshold at which the end-to-end predictions reach `target_precision`.

Everything measured goes into `config.json`, and `card.py` turns it into the model card.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from pipeline import metrics
from pipeline.config import Config
from pipeline.errors import ConfigError
from pipeline.gold.format import GoldDocument
from pipeline.model.capitals import capital_names
from pipeline.model.encoder import load_encoder, load_tokenizer
from pipeline.model.joint import NewsModel, build_encoder, encoder_config
from pipeline.model.ner import Encoded, Example, examples_from_doc
from pipeline.model.rel import NONE, PairExample, encode_pairs, pair_examples
from pipeline.train.common import load_corpora, optimiser, platt, start_run, step
from pipeline.train.ner import NerPredictor, batches, chunk_examples, load_encoder_state
from pipeline.train.rel import RelPredictor
from pipeline.train.shared import chunk_examples as shared_chunks
from pipeline.train.shared import predict_shared

DEFAULTS: dict[str, Any] = {
    "labels": "schema",
    "init": None,  # folder of a trained NER tagger to start from
    # folder of any trained model (other labels allowed) whose encoder and shape features to start from
    "init_encoder": None,
    "ner_train": [],
    "rel_train": [],
    "dev": [],
    "epochs": 6,  # passes over the relation contexts
    "rel_batch_size": 16,
    "ner_batch_size": 32,
    "ner_weight": 1.0,
    "lr": 3e-5,
    "head_lr": 1e-3,
    "warmup": 0.1,
    "weight_decay": 0.01,
    "encoder_pass": "two",  # "two": sentences for the tagger, then windows for relations; "shared": one pass
    "chunk_pieces": None,  # sub-words per chunk of the shared pass (default: max_pieces)
    "ner_max_pieces": 192,
    "stride": 48,
    "max_pieces": 256,
    "context_sentences": 2,
    "none_weight": 0.3,
    # sub-words max-pooled before and after each candidate pair, as two more relation features (0: none)
    "rel_side": 0,
    # types that the document-level alias rules may retype (`pipeline.model.aliases`); [] = off
    "alias_types": [],
    # capitals acting as governments ("Kampala has not commented") typed COUNTRY (`pipeline.model.capitals`)
    "capital_governments": False,
    # from this epoch on, keep a running mean of the weights; at the end it is scored on dev like an epoch and
    # kept if it beats every single epoch (None: off)
    "average_from": None,
    "seed": 13,
    "threads": 2,
    "dropout": 0.1,
    "attention_dropout": None,  # dropout on the encoder's attention probabilities; None: its own 0.1
    "target_precision": 0.7,
    "ece_bins": 15,
    # log-odds shifts of "no relation" tried on dev after the temperature fit (see `choose_none_bias`); none by
    # default: on news-v2 the best shift on dev (+0.75) moved test F1 by less than its noise and lost the
    # scraped sample's (Safeguard Defenders, alleges, China) (docs/benchmarks.md, session 7)
    "none_bias_grid": [0.0],
}


class NewsPredictor:
    """The shipped model applied to documents: tags mentions, then relations between them."""

    def __init__(self, model: NewsModel, tokenizer, settings: dict[str, Any], config: Config) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.settings = settings
        self.config = config
        self.ner = NerPredictor(model.ner, tokenizer, {**settings, "max_pieces": settings["ner_max_pieces"]})
        self.ner.capitals = capital_names(str(config.path("countries.toml")))
        self.rel = RelPredictor(model.rel, tokenizer, settings, config)

    @classmethod
    def load(
        cls,
        folder: Path,
        config: Config | None = None,
        int8: bool = False,
        device: str = "cpu",
        batch_tokens: int | None = None,
    ) -> NewsPredictor:
        """A saved model on `device` ('cpu' or 'cuda[:N]', see `pipeline.device`); with `int8` (CPU only), the
        relation pass runs with int8 linear layers (see `_quantise`). `batch_tokens` caps the padded sub-words
        of one encoder batch."""
        if int8 and device != "cpu":
            raise ConfigError("int8 quantisation runs on the CPU only; use --fp32 with a GPU")
        from safetensors.torch import load_file

        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if cfg.get("kind") != "joint":
            raise ValueError(f"{folder}: not a joint NER + relation model (kind {cfg.get('kind')!r})")
        if int8:
            from pipeline.components import check_int8

            check_int8(folder, cfg["settings"])
        model = NewsModel(
            build_encoder(cfg["encoder_config"]),
            cfg["tags"],
            cfg["relations"],
            cfg["entity_types"],
            dropout=0.0,
            **cfg.get("head_sizes", {}),
        )
        model.load_saved_state(
            {k: v.float() for k, v in load_file(str(folder / "model.safetensors")).items()}
        )
        settings = {**cfg["settings"], **cfg.get("calibration", {}).get("settings", {})}
        predictor = cls(model.to(device), load_tokenizer(), settings, config or Config())
        predictor.ner.device = predictor.rel.device = device
        if batch_tokens:
            predictor.ner.settings["batch_tokens"] = predictor.rel.settings["batch_tokens"] = int(
                batch_tokens
            )
        if int8:
            predictor.rel.model = _quantise(copy.deepcopy(model.rel))
        return predictor

    def relate(self, docs: Sequence[GoldDocument]) -> list[GoldDocument]:
        """Relations between the documents' own mentions (relation classification with given mentions)."""
        with torch.inference_mode():
            if self.settings.get("encoder_pass") == "shared":
                return predict_shared(self, docs, given=True)
            return self.rel.predict_docs(docs)

    @property
    def thresholds(self) -> dict[str, float | None]:
        return dict(self.settings.get("thresholds", {}))

    def predict_docs(
        self, docs: Sequence[GoldDocument], apply_thresholds: bool = False
    ) -> list[GoldDocument]:
        """Mentions (with `mention_scores`, `windows`) and relations (with `relation_scores`) for each document.
        With `apply_thresholds`, only relations at or above their type's dev threshold are kept (a type that
        never reached the target precision on dev has no threshold, and is dropped)."""
        with torch.inference_mode():
            if self.settings.get("encoder_pass") == "shared":
                related = predict_shared(self, docs)
            else:
                related = self.rel.predict_docs(self.ner.predict_docs(docs))
        if not apply_thresholds:
            return related
        limits = self.thresholds
        out = []
        for doc in related:
            scores = doc.meta["relation_scores"]
            keep = [
                k
                for k, r in enumerate(doc.relations)
                if limits.get(r.label or r.orig) is not None and scores[k] >= limits[r.label or r.orig]
            ]
            out.append(
                replace(
                    doc,
                    relations=tuple(doc.relations[k] for k in keep),
                    meta={**doc.meta, "relation_scores": [scores[k] for k in keep]},
                )
            )
        return out


def _quantise(module: torch.nn.Module) -> torch.nn.Module:
    """int8 dynamic quantisation of every linear layer (torch's eager API, deprecated upstream in favour of
    torchao but still shipped; its warnings are silenced here).

    Only the relation pass runs quantised, on its own copy of the encoder: measured on news gold dev, int8 costs
    the relation decisions nothing (gold-mention F1 63.56 -> 63.54) but costs the tagger 6 F1 (81.1 -> 74.9 with
    the whole encoder quantised, 75.3 with the feed-forward layers only), so the tagger stays in float32."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(module.eval(), {torch.nn.Linear}, dtype=torch.qint8)


def evaluate(
    predictor: NewsPredictor, docs: Sequence[GoldDocument], apply_thresholds: bool = False
) -> dict[str, Any]:
    """NER, relations with gold mentions, and end-to-end relations (predicted mentions), strict."""
    labels = predictor.settings["labels"]
    bare = [replace(d, mentions=(), relations=()) for d in docs]
    pred = predictor.predict_docs(bare, apply_thresholds)
    given = predictor.relate([replace(d, relations=()) for d in docs])
    return {
        "ner": metrics.score_ner(docs, pred, labels=labels),
        "relations_gold_mentions": metrics.score_relations(docs, given, labels=labels),
        "relations_end_to_end": metrics.score_relations(docs, pred, labels=labels),
    }


def corpus_digest(docs: Sequence[GoldDocument]) -> str:
    """sha256 of the canonical documents (text, mentions, relations), for the model card."""
    h = hashlib.sha256()
    for d in docs:
        h.update(json.dumps(d.to_record(), sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def _cycle(examples: Sequence[Example], size: int, rng: random.Random) -> Iterator[list[Example]]:
    while True:
        yield from batches(examples, size, rng)


def train_joint(
    settings: dict[str, Any],
    out_dir: Path,
    config: Config | None = None,
    data: str | Path | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    s, say = start_run(DEFAULTS, settings, out_dir, log)
    config = config or Config()
    schema = config.schema
    labels = s["labels"]
    tokenizer = load_tokenizer()
    ner_docs = load_corpora(config, s["ner_train"], data)
    rel_docs = load_corpora(config, s["rel_train"], data)
    dev_docs = load_corpora(config, s["dev"], data)
    ner_ex = ner_examples(ner_docs, s, tokenizer)
    rel_ex = rel_examples(rel_docs, s, tokenizer, schema)
    init_state: dict[str, torch.Tensor] | None = None
    init_kind = None
    if s["init"]:
        from safetensors.torch import load_file

        init = Path(s["init"])
        init_cfg = json.loads((init / "config.json").read_text(encoding="utf-8"))
        tags, init_kind = init_cfg["tags"], init_cfg.get("kind")
        init_state = {k: v.float() for k, v in load_file(str(init / "model.safetensors")).items()}
    else:
        types = sorted({t[2:] for ex in ner_ex for t in ex.tags if t != "O"})
        tags = ["O", *[f"{p}-{t}" for t in types for p in ("B", "I")]]
    if labels == "schema":
        relations, entity_types = list(schema.relations), list(schema.entity_types)
    else:
        relations = sorted({p[2] for ex in rel_ex for p in ex.pairs} - {NONE})
        entity_types = sorted({e[2] for ex in rel_ex for e in ex.entities})
    model = NewsModel(
        load_encoder(attention_dropout=s["attention_dropout"]),
        tags,
        relations,
        entity_types,
        dropout=float(s["dropout"]),
        **({"side": int(s["rel_side"])} if s["rel_side"] else {}),
    )
    if init_state is not None and init_kind == "joint":  # both heads from a trained joint model
        model.load_saved_state(widen_relation_input(init_state, model))
    elif init_state is not None:
        model.ner.load_state_dict(init_state)
    if s["init_encoder"]:
        from safetensors.torch import load_file

        if s["init"]:
            raise ConfigError("set init or init_encoder, not both")
        load_encoder_state(model.ner, load_file(str(Path(s["init_encoder"]) / "model.safetensors")))
    tag_index = {t: i for i, t in enumerate(tags)}
    rel_index = {r: i for i, r in enumerate(model.rel.relations)}
    type_index = {t: i for i, t in enumerate(entity_types)}
    n_pos = sum(1 for ex in rel_ex for p in ex.pairs if p[2] != NONE)
    say(
        f"init {s['init'] or s['init_encoder'] or 'encoder'}; NER {len(ner_docs)} docs / {len(ner_ex)} sentences; relations "
        f"{len(rel_docs)} docs / {len(rel_ex)} contexts / {sum(len(e.pairs) for e in rel_ex)} pairs "
        f"({n_pos} related); dev {len(dev_docs)} docs"
    )
    rng = random.Random(int(s["seed"]))
    rel_bs = int(s["rel_batch_size"])
    pieces, ner_pieces = _pieces(s)
    steps_per_epoch = math.ceil(len(rel_ex) / rel_bs)
    optim, sched = optimiser(model, s, steps_per_epoch * int(s["epochs"]))
    weights = torch.ones(len(model.rel.relations))
    weights[0] = float(s["none_weight"])
    rel_loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    ner_loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    ner_batches = _cycle(ner_ex, int(s["ner_batch_size"]), rng) if ner_ex else None
    best: dict[str, Any] = {"f1": -1.0}
    averaged: dict[str, torch.Tensor] | None = None

    def judge(epoch: int | str, heading: str) -> None:
        """Score the model as it is on dev; save it when NER + end-to-end relation F1 is the best so far."""
        nonlocal best
        scores = evaluate(NewsPredictor(model, tokenizer, s, config), dev_docs)
        ner_f1 = scores["ner"]["micro"]["f1"]
        e2e = scores["relations_end_to_end"]["micro"]["f1"]
        gold_f1 = scores["relations_gold_mentions"]["micro"]["f1"]
        say(
            f"{heading}; dev NER F1 {ner_f1:.4f}, relations strict F1 {e2e:.4f} end to end, "
            f"{gold_f1:.4f} with gold mentions"
        )
        if ner_f1 + e2e > best["f1"]:
            best = {"f1": ner_f1 + e2e, "epoch": epoch, "dev": _summary(scores)}
            _save(model, out_dir, s, tags, entity_types, epoch, best["dev"], ner_docs, rel_docs, dev_docs)

    for epoch in range(1, int(s["epochs"]) + 1):
        model.train()
        order = list(range(len(rel_ex)))
        rng.shuffle(order)
        t0, running, n = time.perf_counter(), [0.0, 0.0], 0
        for k in range(0, len(order), rel_bs):
            batch = encode_pairs(
                tokenizer,
                [rel_ex[i] for i in order[k : k + rel_bs]],
                rel_index,
                type_index,
                pieces,
            )
            if not batch.refs:
                continue
            rel_loss = rel_loss_fn(model.rel.logits(batch), batch.labels)
            loss = rel_loss
            if ner_batches is not None:
                enc = Encoded(tokenizer, next(ner_batches), tag_index, ner_pieces)
                logits = model.ner(enc.input_ids, enc.attention_mask, enc.shapes)
                ner_loss = ner_loss_fn(logits.view(-1, len(tags)), enc.labels.view(-1))
                loss = rel_loss + float(s["ner_weight"]) * ner_loss
                running[1] += ner_loss.item()
            step(model, optim, sched, loss)
            running[0] += rel_loss.item()
            n += 1
            if n % 25 == 0:
                say(
                    f"epoch {epoch} step {n}/{steps_per_epoch} loss rel {running[0] / 25:.4f} ner {running[1] / 25:.4f}"
                )
                running = [0.0, 0.0]
        judge(epoch, f"epoch {epoch} done in {time.perf_counter() - t0:.0f} s")
        if s["average_from"] is not None and epoch >= int(s["average_from"]):
            averaged = running_mean(averaged, model.state_dict(), epoch - int(s["average_from"]) + 1)
    if averaged is not None:
        model.load_state_dict(averaged)
        label = f"mean of epochs {s['average_from']}-{s['epochs']}"
        judge(label, label)
    say(f"best epoch {best['epoch']}: dev NER + end-to-end relation F1 {best['f1']:.4f}")
    predictor = NewsPredictor.load(out_dir, config)
    calibration = calibrate(predictor, dev_docs, s)
    cfg_path = out_dir / "config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    cfg["calibration"] = calibration
    cfg_path.write_text(json.dumps(cfg, indent=1) + "\n", encoding="utf-8")
    say(f"calibration: {json.dumps({k: v for k, v in calibration.items() if k != 'thresholds'})}")
    say(
        f"thresholds for precision {s['target_precision']}: {json.dumps(calibration['settings']['thresholds'])}"
    )
    say.close()
    return best


def widen_relation_input(state: dict[str, torch.Tensor], model: NewsModel) -> dict[str, torch.Tensor]:
    """`state` fitted to `model` when model's relation head reads more features than the saved one did (new
    features come last): the first layer's extra input columns start at zero, so the start model's relation
    scores are kept exactly until training moves them."""
    key = "rel.mlp.1.weight"
    want = model.rel.mlp[1].weight
    have = state.get(key)
    if have is None or have.shape == want.shape:
        return state
    if have.shape[0] != want.shape[0] or have.shape[1] > want.shape[1]:
        raise ValueError(f"{key}: saved {tuple(have.shape)} cannot grow into {tuple(want.shape)}")
    grown = torch.zeros_like(want, dtype=have.dtype)
    grown[:, : have.shape[1]] = have
    return {**state, key: grown}


def running_mean(
    mean: dict[str, torch.Tensor] | None, state: dict[str, torch.Tensor], n: int
) -> dict[str, torch.Tensor]:
    """The mean of `n` states given the mean of the first `n - 1` (None when `n` is 1) and the n-th. Floating
    tensors are averaged (in float32); others (position ids) are taken from the latest state."""
    out = {}
    for k, v in state.items():
        v = v.detach()
        if mean is None or not v.is_floating_point():
            out[k] = v.clone().float() if v.is_floating_point() else v.clone()
        else:
            out[k] = mean[k] + (v.float() - mean[k]) / n
    return out


def _pieces(s: dict[str, Any]) -> tuple[int, int]:
    """Sub-word limits of a relation context and of a tagger example."""
    if s.get("encoder_pass") == "shared":
        chunk = int(s.get("chunk_pieces") or s["max_pieces"])
        return chunk, chunk
    return int(s["max_pieces"]), int(s["ner_max_pieces"])


def ner_examples(docs: Sequence[GoldDocument], s: dict[str, Any], tokenizer) -> list[Example]:
    """Tagger examples: sentences (windows when long), or with the shared pass, the chunks it encodes."""
    if s.get("encoder_pass") == "shared":
        chunk = _pieces(s)[0]
        return [ex for d in docs for ex in shared_chunks(d, tokenizer, chunk, int(s["stride"]), s["labels"])]
    return chunk_examples(
        [ex for d in docs for ex in examples_from_doc(d, s["labels"])],
        tokenizer,
        int(s["ner_max_pieces"]),
        int(s["stride"]),
    )


def rel_examples(
    docs: Sequence[GoldDocument], s: dict[str, Any], tokenizer, schema: Any
) -> list[PairExample]:
    """Relation contexts with their candidate pairs: windows of `context_sentences` sentences, or with the
    shared pass, the chunks it encodes."""
    size, labels = int(s["context_sentences"]), s["labels"]
    if s.get("encoder_pass") != "shared":
        return [ex for d in docs for ex in pair_examples(d, schema, size, labels)]
    chunk, out = _pieces(s)[0], []
    for d in docs:
        ranges = [
            (c.spans[0][0], c.spans[-1][1])
            for c in shared_chunks(d, tokenizer, chunk, int(s["stride"]), labels)
        ]
        out.extend(pair_examples(d, schema, size, labels, spans=ranges))
    return out


def decoding(settings: dict[str, Any]) -> dict[str, Any]:
    """How the tagger's word probabilities become mentions (recorded in `config.json` and the model card)."""
    return {
        "ner_decode": settings.get("ner_decode", "viterbi"),
        "merge_adjacent": settings.get("merge_adjacent", settings.get("labels", "schema") == "schema"),
        "alias_types": list(settings.get("alias_types") or []),
        "capital_governments": bool(settings.get("capital_governments")),
    }


def _summary(scores: dict[str, Any]) -> dict[str, Any]:
    return {name: {k: r[k] for k in ("micro", "macro", "per_type")} for name, r in scores.items()}


def _save(
    model: NewsModel,
    out_dir: Path,
    s: dict[str, Any],
    tags: list[str],
    entity_types: list[str],
    epoch: int | str,
    dev: dict[str, Any],
    ner_docs: Sequence[GoldDocument],
    rel_docs: Sequence[GoldDocument],
    dev_docs: Sequence[GoldDocument],
) -> None:
    data = {
        "ner_train": {"documents": len(ner_docs), "sha256": corpus_digest(ner_docs)},
        "rel_train": {"documents": len(rel_docs), "sha256": corpus_digest(rel_docs)},
        "dev": {"documents": len(dev_docs), "sha256": corpus_digest(dev_docs)},
    }
    save_model(model, out_dir, s, {"best_epoch": epoch, "dev": dev, "decoding": decoding(s), "data": data})


def save_model(model: NewsModel, out_dir: Path, settings: dict[str, Any], extra: dict[str, Any]) -> None:
    """float16 safetensors (one copy of the shared encoder) and `config.json` (labels, encoder architecture,
    settings and whatever `extra` holds)."""
    from safetensors.torch import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.saved_state().items()}
    save_file(state, str(out_dir / "model.safetensors"))
    cfg = {
        "kind": "joint",
        "name": settings.get("name", out_dir.name),
        "version": str(settings.get("version", "1")),
        "tags": list(model.ner.tags),
        "relations": model.rel.relations,
        "entity_types": list(model.rel.entity_types),
        "head_sizes": model.head_sizes,
        "encoder_config": encoder_config(model.ner.encoder),
        "settings": settings,
        **extra,
    }
    (out_dir / "config.json").write_text(json.dumps(cfg, indent=1) + "\n", encoding="utf-8")


# Calibration -------------------------------------------------------------------------------------------------------


def ece(confidence: torch.Tensor, correct: torch.Tensor, bins: int = 15) -> float:
    """Expected calibration error: bin by confidence, weight |accuracy - mean confidence| by the bin's share."""
    if confidence.numel() == 0:
        return 0.0
    edges = torch.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            gap = correct[inside].float().mean() - confidence[inside].mean()
            total += float(inside.float().mean()) * abs(float(gap))
    return total


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The temperature in [0.25, 5] (steps of 0.05) that minimises the negative log-likelihood."""
    loss = torch.nn.CrossEntropyLoss()
    grid = [0.25 + 0.05 * k for k in range(96)]
    return min(grid, key=lambda t: float(loss(logits / t, labels)))


@torch.inference_mode()
def _ner_logits(predictor: NewsPredictor, docs: Sequence[GoldDocument]) -> tuple[torch.Tensor, torch.Tensor]:
    s = predictor.settings
    examples = ner_examples(docs, s, predictor.tokenizer)
    tag_index = {t: i for i, t in enumerate(predictor.ner.tags)}
    out_logits, out_labels = [], []
    for k in range(0, len(examples), 64):
        enc = Encoded(predictor.tokenizer, examples[k : k + 64], tag_index, _pieces(s)[1])
        logits = predictor.model.ner(enc.input_ids, enc.attention_mask, enc.shapes)
        keep = enc.labels != -100
        out_logits.append(logits[keep])
        out_labels.append(enc.labels[keep])
    return torch.cat(out_logits), torch.cat(out_labels)


@torch.inference_mode()
def _rel_logits(predictor: NewsPredictor, docs: Sequence[GoldDocument]) -> tuple[torch.Tensor, torch.Tensor]:
    s = predictor.settings
    examples = rel_examples(docs, s, predictor.tokenizer, predictor.config.schema)
    out_logits, out_labels = [], []
    for k in range(0, len(examples), 32):
        batch = encode_pairs(
            predictor.tokenizer,
            examples[k : k + 32],
            predictor.rel.rel_index,
            predictor.rel.type_index,
            _pieces(s)[0],
        )
        if batch.refs:
            out_logits.append(predictor.model.rel.logits(batch))
            out_labels.append(batch.labels)
    return torch.cat(out_logits), torch.cat(out_labels)


def _calibration_report(logits: torch.Tensor, labels: torch.Tensor, temperature: float, bins: int) -> dict:
    def at(t: float) -> dict[str, float]:
        probs = (logits / t).softmax(-1)
        conf, pred = probs.max(-1)
        nll = float(torch.nn.functional.cross_entropy(logits / t, labels))
        return {"ece": round(ece(conf, pred == labels, bins), 4), "nll": round(nll, 4)}

    return {
        "temperature": round(temperature, 2),
        "before": at(1.0),
        "after": at(temperature),
        "n": len(labels),
    }


def calibrate(
    predictor: NewsPredictor, dev_docs: Sequence[GoldDocument], s: dict[str, Any]
) -> dict[str, Any]:
    """Calibration on dev, in two steps.

    1. Temperatures for the decisions: every word's tag (NER) and every candidate pair with gold mentions
       (relations), fitted on the negative log-likelihood; then the relation decision's `none_bias` (see
       `relation_decisions`), the one of `none_bias_grid` with the best end-to-end strict relation F1 on dev.
    2. Platt scaling of the scores users see: a predicted mention's score (its lowest tag probability) and an
       end-to-end relation's score (its class probability) mapped to the chance that the item is exactly right.
       A relation can be well classified yet wrong because a mention boundary or type is wrong, which no
       temperature on the pair decision can see; so the output scores get their own fit. The ECE after is
       cross-fitted (two folds of dev documents: fitted on one, measured on the other), the final map is fitted
       on all of dev.

    Then per-relation thresholds for `target_precision` on the final end-to-end dev scores."""
    bins = int(s["ece_bins"])
    predictor.settings.update(
        ner_temperature=1.0, rel_temperature=1.0, mention_platt=None, relation_platt=None, none_bias=0.0
    )
    predictor.rel.settings.update(none_bias=0.0)
    predictor.ner.settings.update(ner_temperature=1.0, mention_platt=None)
    ner_logits, ner_labels = _ner_logits(predictor, dev_docs)
    rel_logits, rel_labels = _rel_logits(predictor, dev_docs)
    t_ner = fit_temperature(ner_logits, ner_labels)
    t_rel = fit_temperature(rel_logits, rel_labels)
    predictor.settings.update(ner_temperature=t_ner, rel_temperature=t_rel)
    predictor.ner.settings.update(ner_temperature=t_ner)
    bias, by_bias = choose_none_bias(predictor, dev_docs, s.get("none_bias_grid") or [0.0])
    items = output_scores(predictor, dev_docs)
    outputs: dict[str, dict[str, Any]] = {}
    maps: dict[str, list[float]] = {}
    for kind in ("mentions", "relations"):
        conf = [c for doc in items for c, _ in doc[kind]]
        ok = [o for doc in items for _, o in doc[kind]]
        crossed_conf, crossed_ok = [], []
        for fold in (0, 1):
            fit = [x for n, doc in enumerate(items) if n % 2 != fold for x in doc[kind]]
            held = [x for n, doc in enumerate(items) if n % 2 == fold for x in doc[kind]]
            ab = fit_platt([c for c, _ in fit], [o for _, o in fit])
            crossed_conf += [platt(c, ab) for c, _ in held]
            crossed_ok += [o for _, o in held]
        maps[kind] = fit_platt(conf, ok)
        outputs[kind] = {
            "n": len(conf),
            "ece_before": _ece(conf, ok, bins),
            "ece_after": _ece(crossed_conf, crossed_ok, bins),
            "platt": [round(x, 4) for x in maps[kind]],
        }
    predictor.settings.update(mention_platt=maps["mentions"], relation_platt=maps["relations"])
    predictor.ner.settings.update(mention_platt=maps["mentions"])
    thresholds, support = precision_thresholds(predictor, dev_docs, float(s["target_precision"]))
    return {
        "ner": _calibration_report(ner_logits, ner_labels, t_ner, bins),
        "relations": _calibration_report(rel_logits, rel_labels, t_rel, bins),
        "outputs": outputs,
        "target_precision": float(s["target_precision"]),
        "threshold_support": support,
        "none_bias_f1": by_bias,
        "settings": {
            "ner_temperature": t_ner,
            "rel_temperature": t_rel,
            "none_bias": bias,
            "mention_platt": maps["mentions"],
            "relation_platt": maps["relations"],
            "thresholds": thresholds,
        },
    }


def choose_none_bias(
    predictor: NewsPredictor, dev_docs: Sequence[GoldDocument], grid: Sequence[float]
) -> tuple[float, dict[str, float]]:
    """The `none_bias` of `grid` with the best end-to-end strict relation F1 on `dev_docs` (ties: the one nearest
    0), set on `predictor`; and the F1 of each (nothing is scored when the grid holds one value)."""
    if len(values := {float(b) for b in grid}) == 1:
        (only,) = values
        predictor.settings["none_bias"] = predictor.rel.settings["none_bias"] = only
        return only, {}
    labels = predictor.settings["labels"]
    bare = [replace(d, mentions=(), relations=()) for d in dev_docs]
    tagged = None
    by_bias: dict[str, float] = {}
    for bias in sorted(values, key=abs):
        predictor.settings["none_bias"] = predictor.rel.settings["none_bias"] = bias
        if predictor.settings.get("encoder_pass") == "shared":
            with torch.inference_mode():
                pred = predict_shared(predictor, bare)
        else:  # the tagger's output does not depend on the bias: tag once
            if tagged is None:
                with torch.inference_mode():
                    tagged = predictor.ner.predict_docs(bare)
            pred = predictor.rel.predict_docs(tagged)
        by_bias[f"{bias:g}"] = round(metrics.score_relations(dev_docs, pred, labels=labels)["micro"]["f1"], 4)
    best = max(by_bias, key=lambda b: (by_bias[b], -abs(float(b))))
    predictor.settings["none_bias"] = predictor.rel.settings["none_bias"] = float(best)
    return float(best), by_bias


def fit_platt(conf: Sequence[float], ok: Sequence[bool]) -> list[float]:
    """(a, b) of sigmoid(a * logit(score) + b) minimising the log-loss of `ok`; identity when there is
    nothing to fit."""
    if len(conf) < 2 or len(set(ok)) < 2:
        return [1.0, 0.0]
    p = torch.tensor(conf, dtype=torch.float64).clamp(1e-6, 1 - 1e-6)
    x = torch.log(p / (1 - p))
    y = torch.tensor(ok, dtype=torch.float64)
    ab = torch.tensor([1.0, 0.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([ab], lr=0.5, max_iter=200)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(ab[0] * x + ab[1], y)
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    return [float(v) for v in ab.detach().tolist()]


def _ece(conf: Sequence[float], ok: Sequence[bool], bins: int) -> float:
    return round(ece(torch.tensor(list(conf)), torch.tensor(list(ok)), bins), 4)


def output_scores(predictor: NewsPredictor, docs: Sequence[GoldDocument]) -> list[dict[str, list]]:
    """Per document, (score, correct) of each predicted mention (exact span and type) and each end-to-end
    relation (strict match)."""
    labels = predictor.settings["labels"]
    sym = metrics.default_symmetric(labels, predictor.config)
    pred = predictor.predict_docs([replace(d, mentions=(), relations=()) for d in docs])
    out = []
    for g, p in zip(docs, pred, strict=True):
        gold_m = {(m.start, m.end, m.label if labels == "schema" else m.orig) for m in g.mentions}
        gold_r = {metrics.relation_item(g, i, labels, "strict", sym) for i in range(len(g.relations))}
        out.append(
            {
                "mentions": [
                    (score, (m.start, m.end, m.label if labels == "schema" else m.orig) in gold_m)
                    for m, score in zip(p.mentions, p.meta["mention_scores"], strict=True)
                ],
                "relations": [
                    (score, metrics.relation_item(p, i, labels, "strict", sym) in gold_r)
                    for i, score in enumerate(p.meta["relation_scores"])
                ],
            }
        )
    return out


def output_ece(predictor: NewsPredictor, docs: Sequence[GoldDocument], bins: int = 15) -> dict[str, dict]:
    """ECE of the output scores (mentions, end-to-end relations) as the predictor gives them now."""
    items = output_scores(predictor, docs)
    result = {}
    for kind in ("mentions", "relations"):
        conf = [c for doc in items for c, _ in doc[kind]]
        ok = [o for doc in items for _, o in doc[kind]]
        result[kind] = {"n": len(conf), "ece": _ece(conf, ok, bins)}
    return result


def recalibrate(folder: Path, config: Config | None = None, data: str | Path | None = None) -> dict[str, Any]:
    """Score a saved model again on the dev corpora of its settings, as the current code decodes it, and
    calibrate it there; rewrites its config.json (`dev`, `decoding`, `calibration`)."""
    config = config or Config()
    predictor = NewsPredictor.load(folder, config)
    cfg_path = folder / "config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    s = {**DEFAULTS, **cfg["settings"]}
    dev_docs = load_corpora(config, s["dev"], data)
    cfg["calibration"] = calibrate(predictor, dev_docs, s)  # leaves the predictor calibrated
    cfg["dev"] = _summary(evaluate(predictor, dev_docs))
    cfg["decoding"] = decoding(predictor.ner.settings)
    cfg_path.write_text(json.dumps(cfg, indent=1) + "\n", encoding="utf-8")
    return cfg["calibration"]


def precision_thresholds(
    predictor: NewsPredictor, docs: Sequence[GoldDocument], target: float
) -> tuple[dict[str, float | None], dict[str, dict[str, float]]]:
    """Per relation, the lowest score at which end-to-end predictions on `docs` reach precision `target`
    (None where no threshold does), with the precision and recall there."""
    labels = predictor.settings["labels"]
    sym = metrics.default_symmetric(labels, predictor.config)
    pred = predictor.predict_docs([replace(d, mentions=(), relations=()) for d in docs])
    scored: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    gold_count: dict[str, int] = defaultdict(int)
    for g, p in zip(docs, pred, strict=True):
        gold = {metrics.relation_item(g, i, labels, "strict", sym) for i in range(len(g.relations))}
        gold.discard(None)
        for item in gold:
            gold_count[item[0]] += 1
        for i, score in enumerate(p.meta["relation_scores"]):
            item = metrics.relation_item(p, i, labels, "strict", sym)
            if item is not None:
                scored[item[0]].append((score, item in gold))
    thresholds: dict[str, float | None] = {}
    support: dict[str, dict[str, float]] = {}
    for rel in predictor.model.rel.relations[1:]:
        rows = sorted(scored.get(rel, []), reverse=True)
        thresholds[rel] = None
        hits, best_k = 0, -1
        for k, (_, ok) in enumerate(rows):
            hits += ok
            if hits / (k + 1) >= target:
                best_k = k
        if best_k >= 0:
            thresholds[rel] = round(rows[best_k][0], 4)
            kept = rows[: best_k + 1]
            tp = sum(ok for _, ok in kept)
            support[rel] = {
                "precision": round(tp / len(kept), 4),
                "recall": round(tp / max(1, gold_count.get(rel, 0)), 4),
                "predicted": len(kept),
                "gold": gold_count.get(rel, 0),
            }
    return thresholds, support
