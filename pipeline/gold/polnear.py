"""PolNeAR (Newell, Margolin & Ruths 2018): attribution relations in US political news of 2016.

Source: `polnear/data/<split>/text/<article>.txt` and `polnear/data/<split>/attributions/<article>_<annotator>.ann`,
brat standoff: `T` spans typed Source, Cue, Content (plus the event triggers Attribution /
Attribution-no-source, and the annotators' Discuss / Discard flags) and `E` events
`Attribution:T.. Source:T.. Cue:T.. Content:T.. [Content2:T..]`, any role possibly missing.

One GoldDocument per .ann file: the article text with that annotator's annotations (some articles have two).
No sentences or tokens (the corpus's CoreNLP parses are not part of the data here).

Mentions: one per fragment of each Source, Cue and Content span (`orig` the span type, `label` None: they are no
schema entities). A discontinuous brat span (fragments joined by ";", e.g. a quote cut by "he said") gives one
mention per fragment, so no mention covers the words between the fragments; whitespace at a fragment's edges is
cut off. An event without a Cue role takes its trigger span as the cue (the trigger marks the cue words).

Relations: one per event, from its first Source fragment to its first Content fragment, `orig` the event type
("Attribution", or "Attribution-no-source" where the annotator found no source), `label` None. Where the source
or the content is missing, the cue stands in for it. `meta["attributions"]` is aligned with the relations: the
mention indices of each event's source, cue and content fragments, and `candidate`, the schema relation that the
cue suggests (`[cue_patterns]`, e.g. "alleges" for "accused"), or None. It is a candidate only: the target of an
accusation is an entity somewhere inside the content, which the corpus does not mark.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import DataError
from pipeline.gold.format import GoldDocument, GoldMention, GoldRelation
from pipeline.gold.spec import CorpusSpec

logger = logging.getLogger(__name__)

_ANN_LINE = re.compile(r"^[TERAMN#]\d*\t")  # other lines continue a span text that held a line break
MENTION_TYPES = ("Source", "Cue", "Content")
ROLES = {"Source": "source", "Cue": "cue", "Content": "content", "Content2": "content"}


@dataclass(frozen=True)
class Span:
    type: str
    fragments: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Event:
    type: str
    trigger: str  # T id
    roles: tuple[tuple[str, str], ...]  # (role, T id)


def read_ann(path: Path) -> tuple[dict[str, Span], list[Event]]:
    spans: dict[str, Span] = {}
    events: list[Event] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not _ANN_LINE.match(line) or line[0] not in "TE":
            continue
        fields = line.split("\t")
        try:
            if line[0] == "T":
                kind, _, offsets = fields[1].partition(" ")
                fragments = tuple((int(a), int(b)) for a, b in (frag.split() for frag in offsets.split(";")))
                spans[fields[0]] = Span(kind, fragments)
            else:
                (event_type, trigger), *roles = (arg.split(":") for arg in fields[1].split())
                events.append(Event(event_type, trigger, tuple((r, t) for r, t in roles)))
        except ValueError:
            raise DataError(f"{path}:{lineno}: not a brat span or event line: {line[:80]!r}") from None
    for event in events:
        for _, ref in (("trigger", event.trigger), *event.roles):
            if ref not in spans:
                raise DataError(f"{path}: event names span {ref}, which the file does not define")
    return spans, events


def compile_patterns(spec: CorpusSpec) -> dict[str, re.Pattern[str]]:
    """Candidate schema relation -> regex over cue text, from the `[cue_patterns]` word stems."""
    return {
        label: re.compile(r"\b(?:" + "|".join(stems) + ")", re.IGNORECASE)
        for label, stems in spec.raw.get("cue_patterns", {}).items()
    }


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def build_document(
    doc_id: str, split: str, spec: CorpusSpec, text: str, ann: Path, patterns: dict[str, re.Pattern[str]]
) -> GoldDocument:
    spans, events = read_ann(ann)
    # cue-less events take their trigger as cue
    cue_of = {
        k: next((t for r, t in e.roles if r == "Cue" and spans[t].type in MENTION_TYPES), e.trigger)
        for k, e in enumerate(events)
    }
    wanted = {t for t, s in spans.items() if s.type in MENTION_TYPES} | set(cue_of.values())
    placed = []
    for t in wanted:
        span = spans[t]
        orig = span.type if span.type in MENTION_TYPES else "Cue"
        for a, b in span.fragments:
            if not 0 <= a <= b <= len(text):
                raise DataError(f"{ann}: span {t} [{a}, {b}) lies outside the text (length {len(text)})")
            start, end = _trimmed(text, a, b)
            if start < end:
                placed.append((start, end, orig, t))
    placed.sort()
    mentions = []
    index: dict[tuple[int, int, str], int] = {}  # one mention per span, whichever T ids share it
    of_span: dict[str, list[int]] = {}
    for start, end, orig, t in placed:
        key = (start, end, orig)
        if key not in index:
            index[key] = len(mentions)
            mentions.append(
                GoldMention(
                    start=start, end=end, text=text[start:end], orig=orig, label=spec.entity_label(orig)
                )
            )
        of_span.setdefault(t, []).append(index[key])
    relations, attributions = [], []
    for k, event in enumerate(events):
        roles: dict[str, list[int]] = {"source": [], "cue": list(of_span.get(cue_of[k], ())), "content": []}
        for role, t in event.roles:
            if ROLES.get(role) in ("source", "content") and spans[t].type in MENTION_TYPES:
                roles[ROLES[role]].extend(of_span.get(t, ()))
        if not roles["cue"]:
            raise DataError(f"{ann}: event {k + 1} has no cue or trigger text")
        head = (roles["source"] or roles["cue"])[0]
        tail = (roles["content"] or roles["cue"])[0]
        relations.append(
            GoldRelation(head=head, tail=tail, orig=event.type, label=spec.relation_label(event.type))
        )
        cue_text = " ".join(mentions[i].text for i in roles["cue"])
        candidate = next((label for label, rx in patterns.items() if rx.search(cue_text)), None)
        attributions.append({**roles, "candidate": candidate})
    article, _, annotator = ann.stem.rpartition("_")
    return GoldDocument(
        id=doc_id,
        dataset=spec.name,
        split=split,
        text=text,
        mentions=tuple(mentions),
        relations=tuple(relations),
        meta={
            "article": article,
            "annotator": annotator,
            "publisher": article.split("_", 1)[0],
            "attributions": attributions,
        },
    )


def convert(root: Path, split: str, spec: CorpusSpec, config: Config) -> Iterator[GoldDocument]:
    folder = root / spec.splits[split]
    patterns = compile_patterns(spec)
    for ann in sorted((folder / "attributions").glob("*.ann")):
        article = ann.stem.rpartition("_")[0]
        text_path = folder / "text" / f"{article}.txt"
        if not text_path.is_file():
            logger.warning("%s: no article text %s; skipped", ann, text_path.name)
            continue
        # newline="" keeps "\r" should a text have it: brat offsets count every character
        with text_path.open(encoding="utf-8", newline="") as f:
            text = f.read()
        yield build_document(f"{spec.name}-{split}-{ann.stem}", split, spec, text, ann, patterns)
