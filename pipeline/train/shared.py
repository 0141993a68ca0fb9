"""One encoder pass for both heads of the shipped model (setting `encoder_pass = "shared"`).

The two-pass path encodes every sentence for the tagger, then every window of `context_sentences` sentences
holding a candidate pair again for the relation head: each word goes through the encoder two to three times, and
the encoder is nearly all of the model's time. Here a document's sentences are packed into chunks of up to
`chunk_pieces` sub-words that overlap by one sentence, and each chunk is encoded once:

- the tagger reads each word's tag from the chunk where the word sits furthest from an edge, then decodes each
  sentence as the two-pass path does (Viterbi, adjacent names joined);
- the relation head pools the same states for every allowed pair of predicted mentions at most
  `context_sentences - 1` sentences apart, each pair scored in the first chunk that holds both (the overlap
  puts every two neighbouring sentences in one chunk when they fit together).

A sentence longer than a chunk is cut into overlapping windows of its own, as the tagger does, so nothing is
truncated; a pair split between two such windows, or between two neighbouring sentences too long to share a
chunk, is not scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import torch

from pipeline.device import autocast, to_device, token_batches
from pipeline.gold.format import GoldDocument
from pipeline.model.ner import Encoded, Example, examples_from_doc, piece_counts, windows
from pipeline.model.rel import allowed_pairs, distance_bucket, relation_decisions

if TYPE_CHECKING:
    from pipeline.train.joint import NewsPredictor


def chunk_ranges(pieces: Sequence[Sequence[int]], budget: int, stride: int) -> list[tuple[int, int]]:
    """Word ranges [a, b) over a document's words (its sentences one after another; `pieces[s]` holds the
    sub-word count of each word of sentence s): whole sentences packed up to `budget` sub-words, each chunk
    starting with the last sentence of the one before; a sentence over the budget in windows of its own."""
    starts = [0]
    for p in pieces:
        starts.append(starts[-1] + len(p))
    sizes = [sum(p) for p in pieces]
    out: list[tuple[int, int]] = []
    s, n = 0, len(pieces)
    while s < n:
        if sizes[s] > budget:
            out += [(starts[s] + a, starts[s] + b) for a, b in windows(pieces[s], budget, stride)]
            s += 1
            continue
        total, e = sizes[s], s + 1
        while e < n and total + sizes[e] <= budget:
            total += sizes[e]
            e += 1
        out.append((starts[s], starts[e]))
        if e >= n:
            break
        s = e - 1 if e - 1 > s else e
    return out


def chunk_examples(
    doc: GoldDocument, tokenizer, max_pieces: int, stride: int, labels: str = "schema"
) -> list[Example]:
    """The document's sentences (with their BIO tags) packed into chunks as `predict_shared` encodes them;
    each chunk's char range is `(ex.spans[0][0], ex.spans[-1][1])`."""
    sentences = examples_from_doc(doc, labels)
    flat = [w for ex in sentences for w in ex.words]
    if not flat:
        return []
    pieces = piece_counts(tokenizer, sentences)
    spans = [sp for ex in sentences for sp in ex.spans]
    tags = [t for ex in sentences for t in (ex.tags or ("O",) * len(ex.words))]
    return [
        Example(doc.id, tuple(flat[a:b]), tuple(spans[a:b]), tuple(tags[a:b]))
        for a, b in chunk_ranges(pieces, max_pieces - 2, stride)
    ]


def _piece_span(first: Sequence[int], last: Sequence[int], a: int, b: int) -> list[int]:
    """[first sub-word, end) of words [a, b) of a chunk; [0, 0] when none of them has a sub-word."""
    inside = [w for w in range(a, b) if first[w] >= 0]
    return [first[inside[0]], last[inside[-1]] + 1] if inside else [0, 0]


@torch.no_grad()
def predict_shared(
    predictor: NewsPredictor, docs: Sequence[GoldDocument], given: bool = False
) -> list[GoldDocument]:
    """Mentions and relations for `docs` from one encoder pass per chunk (see the module's docstring); with
    `given`, the documents' own mentions are kept and only the relations are predicted."""
    ner, rel, model = predictor.ner, predictor.rel, predictor.model
    s = predictor.settings
    schema, labels = predictor.config.schema, s["labels"]
    max_pieces = int(s.get("chunk_pieces") or s["max_pieces"])
    size = int(s["context_sentences"])
    t_ner = float(s.get("ner_temperature", 1.0))
    t_rel = float(s.get("rel_temperature", 1.0))
    dev, budget = ner.device, int(s.get("batch_tokens") or 1 << 30)

    # sentences, and the document's words as one list (word k of document n: words[n][k])
    examples: list[Example] = []
    owner: list[int] = []
    per_doc: list[list[int]] = [[] for _ in docs]
    for n, doc in enumerate(docs):
        for ex in examples_from_doc(replace(doc, mentions=(), relations=())):
            per_doc[n].append(len(examples))
            examples.append(ex)
            owner.append(n)
    pieces = piece_counts(predictor.tokenizer, examples)
    words = [[w for k in ks for w in examples[k].words] for ks in per_doc]
    spans = [[sp for k in ks for sp in examples[k].spans] for ks in per_doc]
    sentence_of = [[j for j, k in enumerate(ks) for _ in examples[k].words] for ks in per_doc]

    chunks: list[tuple[int, int, int]] = []  # document, first word, end word
    lengths: list[int] = []
    n_chunks = [0] * len(docs)
    for n, ks in enumerate(per_doc):
        doc_pieces = [pieces[k] for k in ks]
        every = [c for p in doc_pieces for c in p]
        for a, b in chunk_ranges(doc_pieces, max_pieces - 2, int(s["stride"])):
            chunks.append((n, a, b))
            lengths.append(min(max_pieces, sum(every[a:b]) + 2))
            n_chunks[n] += 1

    # one encoder pass per chunk: tag probabilities now, states kept for the relation head
    n_tags = len(ner.tags)
    outside = np.zeros(n_tags, dtype=np.float32)
    outside[ner.tags.index("O")] = 1.0
    best = [[(-1, outside)] * len(w) for w in words]
    encoded: list[tuple[list[int], Encoded, torch.Tensor]] = []
    for batch in token_batches(lengths, budget, 64):
        enc = Encoded(
            predictor.tokenizer,
            [
                Example(docs[n].id, tuple(words[n][a:b]), tuple(spans[n][a:b]))
                for n, a, b in (chunks[k] for k in batch)
            ],
            None,
            max_pieces,
        )
        shapes = to_device(enc.shapes, dev)
        with autocast(dev):
            states = model.ner.encode(
                to_device(enc.input_ids, dev), to_device(enc.attention_mask, dev), shapes
            )
            logits = model.ner.tag(states, shapes)
        probs = (logits.float() / t_ner).softmax(-1).cpu().numpy()
        for b, k in enumerate(batch):
            n, a, e = chunks[k]
            for w, pos in enumerate(enc.first[b]):
                margin = min(w, e - a - 1 - w)
                if pos >= 0 and margin > best[n][a + w][0]:
                    best[n][a + w] = (margin, probs[b, pos])
        encoded.append((batch, enc, states))

    log_probs = []
    for n, ks in enumerate(per_doc):
        at = 0
        for k in ks:
            row = best[n][at : at + len(examples[k].words)]
            at += len(row)
            log_probs.append(np.log(np.stack([p for _, p in row]) + 1e-12) if row else np.zeros((0, n_tags)))
    windows_of = [n_chunks[n] if k == per_doc[n][0] else 0 for k, n in enumerate(owner)]
    if given:
        tagged = [replace(d, relations=()) for d in docs]
    else:
        tagged = ner.with_mentions(docs, examples, owner, ner.decode_tags(log_probs), log_probs, windows_of)

    # candidate pairs, each given to the first chunk (in document order) that holds both mentions
    word_at = [{sp[0]: k for k, sp in enumerate(doc_spans)} for doc_spans in spans]
    end_at = [{sp[1]: k + 1 for k, sp in enumerate(doc_spans)} for doc_spans in spans]
    assigned: dict[int, list[tuple[int, int, int, int, int, int]]] = {}
    seen: list[set[tuple[int, int]]] = [set() for _ in docs]
    for k, (n, a, e) in enumerate(chunks):
        doc = tagged[n]
        inside = [
            (i, word_at[n][m.start], end_at[n][m.end])
            for i, m in enumerate(doc.mentions)
            if m.start in word_at[n] and m.end in end_at[n]
        ]
        inside = [(i, wa, wb) for i, wa, wb in inside if a <= wa and wb <= e]
        for h, ha, hb in inside:
            for t, ta, tb in inside:
                if h == t or (h, t) in seen[n]:
                    continue
                if abs(sentence_of[n][ha] - sentence_of[n][ta]) >= size:
                    continue
                if labels == "schema" and not allowed_pairs(
                    schema, doc.mentions[h].label, doc.mentions[t].label
                ):
                    continue
                seen[n].add((h, t))
                assigned.setdefault(k, []).append((h, ha - a, hb - a, t, ta - a, tb - a))

    found: list[dict[tuple[int, int], tuple[str, float]]] = [{} for _ in docs]
    for batch, enc, states in encoded:
        cols: dict[str, list] = {k: [] for k in ("b", "h", "t", "w", "ht", "tt", "d", "o", "ref")}
        for b, k in enumerate(batch):
            n = chunks[k][0]
            first, last = enc.first[b], enc.last[b]
            for h, ha, hb, t, ta, tb in assigned.get(k, []):
                if first[ha] < 0 or first[ta] < 0:
                    continue
                lo, hi = (hb, ta) if ha < ta else (tb, ha)
                cols["b"].append(b)
                cols["h"].append(_piece_span(first, last, ha, hb))
                cols["t"].append(_piece_span(first, last, ta, tb))
                cols["w"].append(_piece_span(first, last, lo, hi))
                cols["ht"].append(rel.type_index.get(tagged[n].mentions[h].label, 0))
                cols["tt"].append(rel.type_index.get(tagged[n].mentions[t].label, 0))
                cols["d"].append(distance_bucket(max(0, hi - lo)))
                cols["o"].append(1.0 if ha < ta else 0.0)
                cols["ref"].append((n, h, t))
        if not cols["ref"]:
            continue

        def tensor(key: str, dtype: torch.dtype = torch.long, cols: dict[str, list] = cols) -> torch.Tensor:
            return to_device(torch.tensor(cols[key], dtype=dtype), dev)

        with autocast(dev):
            logits = model.rel.score_pairs(
                states,
                tensor("b"),
                tensor("h"),
                tensor("t"),
                tensor("w"),
                tensor("ht"),
                tensor("tt"),
                tensor("d"),
                tensor("o", torch.float32),
                lengths=to_device(enc.attention_mask.sum(-1), dev),
            )
        scores, ids = relation_decisions(logits, t_rel, float(s.get("none_bias", 0.0)))
        for (n, h, t), score, idx in zip(cols["ref"], scores.tolist(), ids.tolist(), strict=True):
            rel.keep(found[n], tagged[n], h, t, idx, score)
    return rel.with_relations(tagged, found)
