"""Training and applying the NER tagger (pipeline/model/ner.py) on canonical gold corpora.

`train_ner(settings, out_dir)` trains on the train splits named in the settings, selects the epoch by dev F1
(dev only; test is never read here), and writes `model.safetensors` (float16), `config.json` (tags, settings,
scores) and `train.log`. `NerPredictor` loads a saved model and tags texts or canonical documents.
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

import numpy as np
import torch

from pipeline import metrics
from pipeline.config import Config
from pipeline.device import autocast, to_device, token_batches
from pipeline.errors import ConfigError
from pipeline.gold.format import GoldDocument, GoldMention
from pipeline.model.aliases import alias_types
from pipeline.model.capitals import capital_governments, capital_names
from pipeline.model.encoder import encoder_path, load_encoder, load_tokenizer
from pipeline.model.ner import (
    Encoded,
    Example,
    NerTagger,
    decode,
    examples_from_doc,
    merge_adjacent,
    piece_counts,
    transitions,
    trim_trailing,
    viterbi,
    windows,
)
from pipeline.train.common import load_corpora, optimiser, platt, save_checkpoint, start_run, step

DEFAULTS: dict[str, Any] = {
    "labels": "schema",  # "schema" or "orig" (a benchmark's own label set)
    "train": [],  # ["conll2003:train", ...]
    "dev": [],
    "epochs": 3,
    "batch_size": 32,
    "lr": 5e-5,
    "head_lr": 1e-3,
    "warmup": 0.1,
    "weight_decay": 0.01,
    "max_pieces": 192,
    "stride": 48,
    "seed": 13,
    "threads": 2,
    "dropout": 0.1,
    "attention_dropout": None,  # dropout on the encoder's attention probabilities; None: its own 0.1
    "max_train_examples": None,
    "context": "sentence",  # "sentence", or "document": sentences packed into chunks of up to max_pieces
    "init": None,  # folder of a trained tagger with the same tags to start from
    "init_encoder": None,  # folder of a trained tagger or joint model in any label set: its encoder only
    "alias_types": [],  # types that the document-level alias rules may retype (`pipeline.model.aliases`)
    "capital_governments": False,  # capitals acting as governments typed COUNTRY (`pipeline.model.capitals`)
}


def chunk_examples(examples: Sequence[Example], tokenizer, max_pieces: int, stride: int) -> list[Example]:
    """Long examples cut into overlapping windows (training sees every word)."""
    out = []
    for ex in examples:
        pieces = [max(1, len(tokenizer.tokenize(w))) for w in ex.words]
        if sum(pieces) + 2 <= max_pieces:
            out.append(ex)
            continue
        for a, b in windows(pieces, max_pieces - 2, stride):
            out.append(
                replace(ex, words=ex.words[a:b], spans=ex.spans[a:b], tags=ex.tags[a:b] if ex.tags else ())
            )
    return out


def batches(examples: Sequence[Example], size: int, shuffle: random.Random | None) -> list[list[Example]]:
    """Batches of similar length (sorted within shuffled pools of 50 batches), so padding stays small."""
    order = list(range(len(examples)))
    if shuffle is not None:
        shuffle.shuffle(order)
    pool = size * 50
    out = []
    for p in range(0, len(order), pool):
        chunk = sorted(order[p : p + pool], key=lambda i: len(examples[i].words))
        out.extend([examples[i] for i in chunk[k : k + size]] for k in range(0, len(chunk), size))
    if shuffle is not None:
        shuffle.shuffle(out)
    return out


class NerPredictor:
    """A trained tagger, ready to tag canonical documents (batched, windows for long sentences)."""

    def __init__(self, model: NerTagger, tokenizer, settings: dict[str, Any]) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.settings = settings
        self.tags = model.tags
        self.device = "cpu"  # where `model` lives (`NewsPredictor.load` moves it)
        # capitals for the `capital_governments` rule (`pipeline.model.capitals`; set by `NewsPredictor`)
        self.capitals: frozenset[str] = frozenset()

    @classmethod
    def load(cls, folder: Path) -> NerPredictor:
        from safetensors.torch import load_file

        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        encoder = load_encoder()
        model = NerTagger(encoder, cfg["tags"], dropout=0.0)
        state = {k: v.float() for k, v in load_file(str(folder / "model.safetensors")).items()}
        model.load_state_dict(state)
        predictor = cls(model, load_tokenizer(), cfg["settings"])
        if predictor.settings.get("capital_governments"):
            predictor.capitals = capital_names(str(Config().path("countries.toml")))
        return predictor

    @torch.no_grad()
    def predict_examples(
        self, examples: Sequence[Example], batch_size: int = 64
    ) -> tuple[list[list[str]], list[np.ndarray], list[int]]:
        """Tags per example, the log-probabilities of every tag at every word (temperature-scaled when
        calibrated; words × tags), and the number of encoder windows each example needed. Windows are batched
        by length. The tags are the most probable valid BIO sequence (`ner_decode = "viterbi"`, the default) or
        each word's most probable tag (`"argmax"`)."""
        max_pieces, stride = int(self.settings["max_pieces"]), int(self.settings["stride"])
        temperature = float(self.settings.get("ner_temperature", 1.0))
        parts: list[tuple[int, int, int, Example]] = []  # example index, word offset, window end, window
        lengths: list[int] = []  # sub-words of each window, with [CLS] and [SEP]
        n_windows = [0] * len(examples)
        for i, (ex, pieces) in enumerate(zip(examples, piece_counts(self.tokenizer, examples), strict=True)):
            spans = (
                [(0, len(ex.words))]
                if sum(pieces) + 2 <= max_pieces
                else windows(pieces, max_pieces - 2, stride)
            )
            n_windows[i] = len(spans)
            for a, b in spans:
                parts.append((i, a, b, replace(ex, words=ex.words[a:b], spans=ex.spans[a:b], tags=())))
                lengths.append(min(max_pieces, sum(pieces[a:b]) + 2))
        n_tags = len(self.tags)
        outside = np.zeros(n_tags, dtype=np.float32)
        outside[self.tags.index("O")] = 1.0
        best: list[list[tuple[int, np.ndarray]]] = [[(-1, outside)] * len(ex.words) for ex in examples]
        dev, budget = self.device, int(self.settings.get("batch_tokens") or 1 << 30)
        for batch in token_batches(lengths, budget, batch_size):
            chunk = [parts[k] for k in batch]
            enc = Encoded(self.tokenizer, [c[3] for c in chunk], None, max_pieces)
            with autocast(dev):
                logits = self.model(
                    to_device(enc.input_ids, dev),
                    to_device(enc.attention_mask, dev),
                    to_device(enc.shapes, dev),
                )
            probs = (logits.float() / temperature).softmax(-1).cpu().numpy()
            for b, (i, a, _end, win) in enumerate(chunk):
                for w, pos in enumerate(enc.first[b]):
                    if pos < 0:
                        continue
                    margin = min(w, len(win.words) - 1 - w)  # distance from the window's edge
                    if margin > best[i][a + w][0]:
                        best[i][a + w] = (margin, probs[b, pos])
        log_probs = [
            np.log(np.stack([p for _, p in row]) + 1e-12) if row else np.zeros((0, n_tags)) for row in best
        ]
        return self.decode_tags(log_probs), log_probs, n_windows

    def decode_tags(self, log_probs: Sequence[np.ndarray]) -> list[list[str]]:
        """Tags of each sequence (words × tags log-probabilities): the most probable valid BIO sequence
        (`ner_decode = "viterbi"`, the default) or each word's most probable tag (`"argmax"`)."""
        if self.settings.get("ner_decode", "viterbi") == "viterbi":
            start, move = transitions(self.tags)
            paths = [viterbi(lp, start, move) for lp in log_probs]
        else:
            paths = [lp.argmax(-1).tolist() for lp in log_probs]
        return [[self.tags[k] for k in path] for path in paths]

    def predict_docs(self, docs: Sequence[GoldDocument]) -> list[GoldDocument]:
        """Documents with predicted mentions (relations dropped); `meta` gains `mention_scores` (the lowest
        tag probability inside each mention) and `windows` (encoder windows used for the document)."""
        examples: list[Example] = []
        owner: list[int] = []
        for n, doc in enumerate(docs):
            for ex in examples_from_doc(replace(doc, mentions=(), relations=())):
                examples.append(ex)
                owner.append(n)
        if self.settings.get("context", "sentence") == "document":
            log_probs, counts = self.document_log_probs(examples, owner)
            tags = self.decode_tags(log_probs)
        else:
            tags, log_probs, counts = self.predict_examples(examples)
        return self.with_mentions(docs, examples, owner, tags, log_probs, counts)

    def document_log_probs(
        self, sentences: Sequence[Example], owner: Sequence[int]
    ) -> tuple[list[np.ndarray], list[int]]:
        """Per sentence, tag log-probabilities read with document context (`context = "document"`): each
        document's sentences (consecutive in `sentences`, document `owner[k]`) packed into chunks of up to
        `max_pieces` sub-words that overlap by one sentence, each word read from the chunk where it sits
        furthest from an edge. The chunk count is given to each document's first sentence."""
        from pipeline.train.shared import chunk_ranges

        budget, stride = int(self.settings["max_pieces"]) - 2, int(self.settings["stride"])
        pieces = piece_counts(self.tokenizer, sentences)
        chunks: list[Example] = []
        where: list[tuple[int, int]] = []  # first sentence of the chunk's document, first word
        counts = [0] * len(sentences)
        k = 0
        while k < len(sentences):
            e = k
            while e < len(sentences) and owner[e] == owner[k]:
                e += 1
            words = [w for ex in sentences[k:e] for w in ex.words]
            spans = [sp for ex in sentences[k:e] for sp in ex.spans]
            ranges = chunk_ranges(pieces[k:e], budget, stride) if words else []
            for a, b in ranges:
                chunks.append(Example(sentences[k].doc_id, tuple(words[a:b]), tuple(spans[a:b])))
                where.append((k, a))
            counts[k] = len(ranges)
            k = e
        _, chunk_probs, _ = self.predict_examples(chunks)
        n_tags = len(self.tags)
        outside = np.log(np.full(n_tags, 1e-12, dtype=np.float32))
        outside[self.tags.index("O")] = 0.0
        best: dict[tuple[int, int], tuple[int, np.ndarray]] = {}  # (document's first sentence, word)
        for (k, a), lp in zip(where, chunk_probs, strict=True):
            for w in range(len(lp)):
                margin = min(w, len(lp) - 1 - w)
                if margin > best.get((k, a + w), (-1, None))[0]:
                    best[(k, a + w)] = (margin, lp[w])
        out: list[np.ndarray] = []
        first, at = 0, 0
        for j, ex in enumerate(sentences):
            if j == 0 or owner[j] != owner[j - 1]:
                first, at = j, 0
            rows = [best.get((first, at + w), (0, outside))[1] for w in range(len(ex.words))]
            at += len(ex.words)
            out.append(np.stack(rows) if rows else np.zeros((0, n_tags), dtype=np.float32))
        return out, counts

    def with_mentions(
        self,
        docs: Sequence[GoldDocument],
        examples: Sequence[Example],
        owner: Sequence[int],
        tags: Sequence[Sequence[str]],
        log_probs: Sequence[np.ndarray],
        counts: Sequence[int],
    ) -> list[GoldDocument]:
        """`docs` with the mentions decoded from each example's tags (example k belongs to `docs[owner[k]]`
        and needed `counts[k]` encoder windows)."""
        scaling = self.settings.get("mention_platt")
        merge = self.settings.get("merge_adjacent", self.settings.get("labels", "schema") == "schema")
        index = {t: k for k, t in enumerate(self.tags)}
        mentions: list[list[GoldMention]] = [[] for _ in docs]
        scores: list[list[float]] = [[] for _ in docs]
        n_windows = [0] * len(docs)
        for ex, row, lp, count, n in zip(examples, tags, log_probs, counts, owner, strict=True):
            text = docs[n].text
            n_windows[n] += count
            spans = decode(row)
            if merge:
                touching = [
                    w > 0 and text[ex.spans[w - 1][1] : ex.spans[w][0]] == " " for w in range(len(row))
                ]
                spans = trim_trailing(ex.words, merge_adjacent(spans, touching, lp, self.tags))
            for a, b, label in spans:
                start, end = ex.spans[a][0], ex.spans[b - 1][1]
                mentions[n].append(GoldMention(start, end, text[start:end], label, label))
                # the lowest probability of the span's tags (B- then I- of its type)
                inside = [lp[w, index.get(f"I-{label}", index[f"B-{label}"])] for w in range(a + 1, b)]
                lowest = float(np.exp(min([lp[a, index[f"B-{label}"]], *inside])))
                scores[n].append(round(platt(lowest, scaling), 4))
        if self.settings.get("capital_governments") and self.capitals:
            for n, d in enumerate(docs):
                mentions[n] = capital_governments(d.text, mentions[n], self.capitals)
        aliases = self.settings.get("alias_types") or ()
        if aliases:
            for n, d in enumerate(docs):
                mentions[n], scores[n] = alias_types(d.text, mentions[n], scores[n], aliases)
        return [
            replace(d, mentions=tuple(m), relations=(), meta={**d.meta, "mention_scores": s, "windows": w})
            for d, m, s, w in zip(docs, mentions, scores, n_windows, strict=True)
        ]


class NerEnsemble(NerPredictor):
    """Taggers with the same tags and reading settings whose word-tag probabilities are averaged before
    decoding (a benchmark entry, reported as an ensemble; the shipped extractor runs one model).

    Each member reads every window or chunk itself; the mean of their probabilities is decoded once, so the
    output is one consistent BIO sequence per sentence."""

    READING = ("context", "max_pieces", "stride", "labels")

    def __init__(self, members: Sequence[NerPredictor]) -> None:
        if len(members) < 2:
            raise ConfigError("an ensemble needs at least two taggers")
        first = members[0]
        for m in members[1:]:
            if m.tags != first.tags:
                raise ConfigError(f"ensemble members disagree on tags: {first.tags} vs {m.tags}")
            differ = [k for k in self.READING if m.settings.get(k) != first.settings.get(k)]
            if differ:
                raise ConfigError(f"ensemble members read text differently: {', '.join(differ)}")
        super().__init__(first.model, first.tokenizer, first.settings)
        self.members = list(members)

    @classmethod
    def load_all(cls, folders: Sequence[Path]) -> NerEnsemble:
        return cls([NerPredictor.load(f) for f in folders])

    def predict_examples(
        self, examples: Sequence[Example], batch_size: int = 64
    ) -> tuple[list[list[str]], list[np.ndarray], list[int]]:
        runs = [m.predict_examples(examples, batch_size) for m in self.members]
        log_probs = [
            np.log(np.mean([np.exp(run[1][i]) for run in runs], axis=0) + 1e-12) for i in range(len(examples))
        ]
        return self.decode_tags(log_probs), log_probs, runs[0][2]


def evaluate(predictor: NerPredictor, docs: Sequence[GoldDocument], labels: str) -> dict[str, Any]:
    pred = predictor.predict_docs(docs)
    if labels == "orig":
        pred = [replace(d, mentions=tuple(replace(m, label=None) for m in d.mentions)) for d in pred]
    return metrics.score_ner(docs, pred, labels=labels)


def load_encoder_state(tagger: NerTagger, state: dict[str, torch.Tensor]) -> None:
    """Start `tagger` from another model's encoder and shape features, whatever that model's labels.

    `state` is a saved tagger (`kind = "ner"`) or joint model (keys under `ner.`); its tag layer and relation
    head are left out, so a tagger trained in one label set (the news schema's) can start one in another
    (CoNLL-2003's or CoNLL04's)."""
    own = {k.removeprefix("ner."): v.float() for k, v in state.items() if not k.startswith("rel.")}
    own = {k: v for k, v in own.items() if not k.startswith(("out.", "encoder.pooler."))}  # pooler: unused
    missing, unexpected = tagger.load_state_dict(own, strict=False)
    if unexpected or {k for k in missing if not k.startswith(("out.", "encoder.pooler."))}:
        raise ConfigError(f"init_encoder does not fit this model: missing {missing}, unexpected {unexpected}")


def train_ner(
    settings: dict[str, Any],
    out_dir: Path,
    config: Config | None = None,
    data: str | Path | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    s, say = start_run(DEFAULTS, settings, out_dir, log)
    config = config or Config()
    tokenizer = load_tokenizer()
    labels = s["labels"]
    train_docs = load_corpora(config, s["train"], data)
    dev_docs = load_corpora(config, s["dev"], data)
    max_pieces, stride = int(s["max_pieces"]), int(s["stride"])
    if s["context"] == "document":  # the examples are the chunks prediction encodes
        from pipeline.train.shared import chunk_examples as document_chunks

        train_ex = [
            ex for d in train_docs for ex in document_chunks(d, tokenizer, max_pieces, stride, labels)
        ]
    else:
        train_ex = [ex for d in train_docs for ex in examples_from_doc(d, labels)]
    if s["max_train_examples"]:  # a cap on sentences, or on chunks with document context
        train_ex = random.Random(s["seed"]).sample(train_ex, min(len(train_ex), int(s["max_train_examples"])))
    if s["context"] != "document":
        train_ex = chunk_examples(train_ex, tokenizer, max_pieces, stride)
    types = sorted({t[2:] for ex in train_ex for t in ex.tags if t != "O"})
    tags = ["O", *[f"{p}-{t}" for t in types for p in ("B", "I")]]
    tag_index = {t: i for i, t in enumerate(tags)}
    say(
        f"init {s['init'] or s['init_encoder'] or 'encoder'}; train {len(train_docs)} docs / {len(train_ex)} examples; "
        f"dev {len(dev_docs)} docs; tags {tags}"
    )
    model = NerTagger(
        load_encoder(attention_dropout=s["attention_dropout"]), tags, dropout=float(s["dropout"])
    )
    if s["init"]:
        from safetensors.torch import load_file

        init_cfg = json.loads((Path(s["init"]) / "config.json").read_text(encoding="utf-8"))
        if init_cfg["tags"] != tags:
            raise ConfigError(f"init {s['init']} has tags {init_cfg['tags']}; this run's data gives {tags}")
        model.load_state_dict(
            {k: v.float() for k, v in load_file(str(Path(s["init"]) / "model.safetensors")).items()}
        )
    if s["init_encoder"]:
        from safetensors.torch import load_file

        if s["init"]:
            raise ConfigError("set init or init_encoder, not both")
        load_encoder_state(model, load_file(str(Path(s["init_encoder"]) / "model.safetensors")))
    rng = random.Random(int(s["seed"]))
    steps_per_epoch = math.ceil(len(train_ex) / int(s["batch_size"]))
    optim, sched = optimiser(model, s, steps_per_epoch * int(s["epochs"]))
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    best: dict[str, Any] = {"f1": -1.0}
    for epoch in range(1, int(s["epochs"]) + 1):
        model.train()
        t0, running = time.perf_counter(), 0.0
        for n, batch in enumerate(batches(train_ex, int(s["batch_size"]), rng), 1):
            enc = Encoded(tokenizer, batch, tag_index, int(s["max_pieces"]))
            logits = model(enc.input_ids, enc.attention_mask, enc.shapes)
            running += step(model, optim, sched, loss_fn(logits.view(-1, len(tags)), enc.labels.view(-1)))
            if n % 100 == 0:
                say(f"epoch {epoch} step {n}/{steps_per_epoch} loss {running / 100:.4f}")
                running = 0.0
        predictor = NerPredictor(model, tokenizer, s)
        scores = evaluate(predictor, dev_docs, labels) if dev_docs else {"micro": {"f1": 0.0}}
        f1 = scores["micro"]["f1"]
        say(f"epoch {epoch} done in {time.perf_counter() - t0:.0f} s; dev F1 {f1:.4f}")
        if f1 > best["f1"]:
            best = {"f1": f1, "epoch": epoch, "dev": scores}
            cfg = {
                "kind": "ner",
                "tags": tags,
                "settings": s,
                "encoder": str(encoder_path().name),
                "best_epoch": epoch,
                "dev": {k: scores[k] for k in ("micro", "macro", "per_type")},
            }
            save_checkpoint(model, out_dir, cfg)
    say(f"best epoch {best['epoch']} dev F1 {best['f1']:.4f}")
    say.close()
    return best
