"""The project's own news gold corpus (`data/news_gold/`): articles annotated inline, converted to the canonical
format. The annotation format and guideline are in `docs/annotation.md`.

An article file has a header (`key: value` lines up to the first blank line), the body (paragraphs separated by
blank lines, mentions marked `[surface text]{TYPE entity_id}`), and after a line `== relations` one relation a line:
`head_id relation tail_id | evidence`, where the evidence is a verbatim piece of the body (without markup) that
states the relation and occurs exactly once. The converter picks, for each relation, the mention of the head
entity and the mention of the tail entity nearest to the evidence, as the guideline asks annotators to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import DataError
from pipeline.gold.format import GoldDocument, GoldMention, GoldRelation
from pipeline.gold.spec import CorpusSpec

MENTION_RE = re.compile(r"\[([^\[\]{}]+)\]\{([A-Z]+) ([a-z0-9_]+)\}")
RELATION_RE = re.compile(r"^([a-z0-9_]+) ([a-z_]+) ([a-z0-9_]+)\s*\|\s*(.+?)\s*$")
RELATIONS_MARK = "== relations"


@dataclass
class Article:
    """One parsed article file: header, plain body text, mentions and relations, or the problems found."""

    id: str
    header: dict[str, str]
    text: str
    mentions: list[tuple[int, int, str, str]]  # start, end, type, entity id
    relations: list[
        tuple[str, str, str, int, int]
    ]  # head id, relation, tail id, evidence start, evidence end
    errors: list[str] = field(default_factory=list)


def parse_article(source: str, name: str) -> Article:
    """Parse one annotated article; problems are collected in `errors` (file:line: message), not raised."""
    errors: list[str] = []
    lines = source.split("\n")
    header: dict[str, str] = {}
    n = 0
    while n < len(lines) and lines[n].strip():
        key, sep, value = lines[n].partition(":")
        if not sep:
            errors.append(f"{name}:{n + 1}: header line without 'key: value'")
        header[key.strip()] = value.strip()
        n += 1
    body_lines: list[tuple[int, str]] = []
    rel_lines: list[tuple[int, str]] = []
    in_relations = False
    for k in range(n, len(lines)):
        line = lines[k].rstrip()
        if line.strip() == RELATIONS_MARK:
            in_relations = True
        elif in_relations:
            if line.strip() and not line.lstrip().startswith("#"):
                rel_lines.append((k + 1, line.strip()))
        else:
            body_lines.append((k + 1, line))
    if not in_relations:
        errors.append(f"{name}: no '{RELATIONS_MARK}' line")
    paragraphs: list[list[tuple[int, str]]] = [[]]
    for ln, line in body_lines:
        if line.strip():
            paragraphs[-1].append((ln, line.strip()))
        elif paragraphs[-1]:
            paragraphs.append([])
    text_parts: list[str] = []
    mentions: list[tuple[int, int, str, str]] = []
    offset = 0
    for para in (p for p in paragraphs if p):
        if text_parts:
            text_parts.append("\n\n")
            offset += 2
        for k, (ln, line) in enumerate(para):
            if k:
                text_parts.append(" ")
                offset += 1
            pos = 0
            for m in MENTION_RE.finditer(line):
                plain = line[pos : m.start()]
                _check_plain(plain, name, ln, errors)
                text_parts.append(plain)
                offset += len(plain)
                surface, typ, ent = m.group(1), m.group(2), m.group(3)
                if surface != surface.strip():
                    errors.append(f"{name}:{ln}: mention {surface!r} has surrounding spaces")
                mentions.append((offset, offset + len(surface), typ, ent))
                text_parts.append(surface)
                offset += len(surface)
                pos = m.end()
            plain = line[pos:]
            _check_plain(plain, name, ln, errors)
            text_parts.append(plain)
            offset += len(plain)
    text = "".join(text_parts)
    relations: list[tuple[str, str, str, int, int]] = []
    for ln, line in rel_lines:
        m = RELATION_RE.match(line)
        if not m:
            errors.append(f"{name}:{ln}: relation line not 'head relation tail | evidence': {line!r}")
            continue
        head, rel, tail, evidence = m.groups()
        evidence = evidence.strip().strip('"')
        count = text.count(evidence)
        if count != 1:
            errors.append(f"{name}:{ln}: evidence {evidence!r} occurs {count} times in the text (needs 1)")
            continue
        start = text.index(evidence)
        relations.append((head, rel, tail, start, start + len(evidence)))
    return Article(header.get("id", Path(name).stem), header, text, mentions, relations, errors)


def _check_plain(plain: str, name: str, ln: int, errors: list[str]) -> None:
    if any(c in plain for c in "[]{}"):
        errors.append(f"{name}:{ln}: stray bracket or brace outside a mention: {plain.strip()[:60]!r}")


def check_article(article: Article, config: Config) -> list[str]:
    """Schema checks: types, one type per entity, relations known and allowed, no duplicates, symmetric once."""
    errors = list(article.errors)
    schema = config.schema
    types: dict[str, str] = {}
    for start, end, typ, ent in article.mentions:
        if typ not in schema.entity_types:
            errors.append(f"{article.id}: mention {article.text[start:end]!r} has unknown type {typ}")
        if types.setdefault(ent, typ) != typ:
            errors.append(f"{article.id}: entity {ent} is both {types[ent]} and {typ}")
    seen: set[tuple[str, str, str]] = set()
    for head, rel, tail, _, _ in article.relations:
        if rel not in schema.relations:
            errors.append(f"{article.id}: unknown relation {rel!r}")
            continue
        for ent in (head, tail):
            if ent not in types:
                errors.append(f"{article.id}: relation {head} {rel} {tail}: no mention of entity {ent!r}")
        if head not in types or tail not in types:
            continue
        if head == tail:
            errors.append(f"{article.id}: relation {head} {rel} {tail} links an entity to itself")
        if not schema.is_allowed(rel, types[head], types[tail]):
            errors.append(
                f"{article.id}: {rel} not allowed from {types[head]} ({head}) to {types[tail]} ({tail})"
            )
        key = (head, rel, tail)
        if key in seen or (schema.is_symmetric(rel) and (tail, rel, head) in seen):
            errors.append(f"{article.id}: duplicate relation {head} {rel} {tail}")
        seen.add(key)
    return errors


def to_gold(article: Article, split: str, dataset: str, config: Config) -> GoldDocument:
    """The canonical document; sentence offsets from spaCy's pipeline (the project's segmenter)."""
    from pipeline.segment import load_nlp, sentence_spans

    nlp = load_nlp(config.pipeline["spacy_model"])
    sentences = sentence_spans(nlp(article.text))
    starts = [s for s, _ in sentences]

    def sentence_of(pos: int) -> int:
        import bisect

        return max(0, bisect.bisect_right(starts, pos) - 1)

    order = sorted(range(len(article.mentions)), key=lambda i: article.mentions[i][:2])
    clusters: dict[str, int] = {}
    mentions = []
    for i in order:
        start, end, typ, ent = article.mentions[i]
        cluster = clusters.setdefault(ent, len(clusters))
        mentions.append(
            GoldMention(
                start=start,
                end=end,
                text=article.text[start:end],
                orig=typ,
                label=typ,
                sentence=sentence_of(start),
                cluster=cluster,
            )
        )
    by_entity: dict[int, list[int]] = {}
    for k, m in enumerate(mentions):
        by_entity.setdefault(m.cluster, []).append(k)
    relations = []
    triggers = []
    for head, rel, tail, ev_start, ev_end in article.relations:
        h = _nearest(mentions, by_entity[clusters[head]], ev_start, ev_end)
        t = _nearest(mentions, by_entity[clusters[tail]], ev_start, ev_end)
        relations.append(GoldRelation(head=h, tail=t, orig=rel, label=rel))
        triggers.append([ev_start, ev_end])
    return GoldDocument(
        id=article.id,
        dataset=dataset,
        split=split,
        text=article.text,
        sentences=tuple(sentences),
        mentions=tuple(mentions),
        relations=tuple(relations),
        meta={
            "title": article.header.get("title"),
            "date": article.header.get("date"),
            "dateline": article.header.get("dateline"),
            "topic": article.header.get("topic"),
            "evidence": triggers,  # aligned with relations: [start, end) of the stated evidence
        },
    )


def _nearest(mentions: list[GoldMention], candidates: list[int], ev_start: int, ev_end: int) -> int:
    """The candidate mention closest to the evidence span (inside it counts as distance 0); ties: the earlier."""

    def distance(k: int) -> int:
        m = mentions[k]
        if m.end <= ev_start:
            return ev_start - m.end
        if m.start >= ev_end:
            return m.start - ev_end
        return 0

    return min(candidates, key=lambda k: (distance(k), mentions[k].start))


def read_split(root: Path) -> dict[str, str]:
    """Article id -> split, from `split.toml` in the corpus folder."""
    import tomllib

    with (root / "split.toml").open("rb") as f:
        data = tomllib.load(f)
    return {
        aid: split for split in ("train", "dev", "test") for aid in data.get(split, {}).get("articles", [])
    }


def convert(root: Path, split: str, spec: CorpusSpec, config: Config) -> Iterator[GoldDocument]:
    assignment = read_split(root)
    problems: list[str] = []
    folder = str(spec.splits.get(split, "articles"))
    # `articles/` holds train, dev and test, assigned by split.toml; a split with a folder of its own (the incoming
    # train articles) takes every article in it
    for path in sorted((root / folder).glob("*.txt")):
        article = parse_article(path.read_text(encoding="utf-8"), str(path))
        if folder == "articles" and assignment.get(article.id) != split:
            continue
        errors = check_article(article, config)
        if errors:
            problems.extend(errors)
            continue
        yield to_gold(article, split, spec.name, config)
    if problems:
        raise DataError("news gold annotation errors:\n" + "\n".join(problems[:50]))


SECOND_PASS = "second_pass"


def first_pass(corpus: Path, name: str) -> Path:
    """The first annotation of article file `name`: in `articles/` or in one of the staged `incoming*/` batches."""
    for folder in ("articles", *sorted(p.name for p in corpus.glob("incoming*") if p.is_dir())):
        if (path := corpus / folder / name).is_file():
            return path
    raise DataError(f"{name}: no first annotation in {corpus}/articles or {corpus}/incoming*")


def agreement(config: Config, corpus: Path, second_pass: str = SECOND_PASS) -> dict[str, dict]:
    """Inter-annotator agreement between the first annotation (`articles/` or a staged `incoming*/` batch) and an
    independent second pass (`second_pass`, same format, same text) on the articles both cover: mention F1 (exact
    span and type), relation F1 (strict, mention level) and document-level triple F1, the first pass taken as
    reference."""
    from pipeline import metrics

    first, second = [], []
    for path in sorted((corpus / second_pass).glob("*.txt")):
        other = parse_article(path.read_text(encoding="utf-8"), str(path))
        ref_path = first_pass(corpus, path.name)
        ref = parse_article(ref_path.read_text(encoding="utf-8"), str(ref_path))
        if other.text != ref.text:
            raise DataError(f"{path}: the second pass changed the article text")
        for article in (ref, other):
            if errors := check_article(article, config):
                raise DataError("\n".join(errors))
        first.append(to_gold(ref, "agreement", "newsgold", config))
        second.append(to_gold(other, "agreement", "newsgold", config))
    if not first:
        raise DataError(f"{corpus / second_pass}: no second-pass articles")
    return {
        "articles": {"n": len(first)},
        "mentions": metrics.score_ner(first, second),
        "relations": metrics.score_relations(first, second),
        "relations-boundaries": metrics.score_relations(first, second, mode="boundaries"),
        "triples": metrics.score_triples(first, second),
    }
