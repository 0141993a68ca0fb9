"""The aggregated knowledge graph: canonical entities as nodes, relations as edges that keep their evidence.

Reads an extraction output folder (`build_graph`) or already read records (`build_graph_from_records`), and the
label schema (`configs/labels.toml`: which relations are symmetric). Writes nothing; `Graph.to_json()` is the
serialised form (deterministic: nodes by id, edges by head, relation and tail, support by document and offset).

A symmetric relation (meets, cooperates_with) is one undirected edge whose head is the smaller node id. A triple
whose two mentions resolve to one entity ("Beijing cooperates with China") is kept in its document but makes no
edge; `stats.self_loops` counts them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.config import Config, Schema
from pipeline.kg.canon import Canonicalisation, DocumentInput, Merge, canonicalise_corpus
from pipeline.kg.inputs import DocumentRecords, read_output, to_document
from pipeline.kg.names import NameTables
from pipeline.types import Document, Mention, Triple

logger = logging.getLogger(__name__)

GRAPH_FORMAT_VERSION = "1.0"


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    type: str
    name: str
    aliases: tuple[tuple[str, int], ...]  # surface forms as written, most frequent first
    mentions: int
    documents: int
    doc_ids: tuple[str, ...]
    iso: str | None = None  # ISO 3166-1 alpha-2 of a country
    iso3: str | None = None  # its alpha-3, where pycountry has one
    scope: str | None = None  # ISO code of an agency's country, where the text gives it

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "aliases": [{"text": text, "count": count} for text, count in self.aliases],
            "mentions": self.mentions,
            "documents": self.documents,
            "doc_ids": list(self.doc_ids),
            "iso3166": self.iso,
            "iso3166_alpha3": self.iso3,
            "scope": self.scope,
        }


def _mention_dict(m: Mention) -> dict[str, Any]:
    return {"text": m.text, "label": m.label, "start": m.start, "end": m.end}


@dataclass(frozen=True, slots=True)
class Support:
    """One extracted triple that supports an edge: where it is and how sure the extractor was."""

    id: str
    doc_id: str
    relation: str
    head: Mention
    tail: Mention
    sentence: int
    evidence: str
    score: float
    rule: str | None
    extractor: str
    version: str
    trigger: Mention | None
    date: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "doc_id": self.doc_id,
            "relation": self.relation,
            "head": _mention_dict(self.head),
            "tail": _mention_dict(self.tail),
            "sentence": self.sentence,
            "evidence": self.evidence,
            "score": self.score,
            "rule": self.rule,
            "extractor": self.extractor,
            "version": self.version,
            "trigger": _mention_dict(self.trigger) if self.trigger else None,
            "date": self.date,
        }


@dataclass(frozen=True, slots=True)
class Edge:
    id: str
    head: str
    relation: str
    tail: str
    symmetric: bool
    documents: int
    mentions: int
    max_confidence: float
    mean_confidence: float
    first_date: str | None
    last_date: str | None
    support: tuple[Support, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "head": self.head,
            "relation": self.relation,
            "tail": self.tail,
            "symmetric": self.symmetric,
            "documents": self.documents,
            "mentions": self.mentions,
            "max_confidence": self.max_confidence,
            "mean_confidence": self.mean_confidence,
            "first_date": self.first_date,
            "last_date": self.last_date,
            "support": [s.to_dict() for s in self.support],
        }


@dataclass(frozen=True, slots=True)
class DocumentView:
    """One document as the graph sees it: its mentions and triples, resolved to node ids."""

    id: str
    title: str | None
    url: str | None
    date: str | None
    source: str
    mentions: tuple[tuple[Mention, str], ...]
    triples: tuple[tuple[Support, str, str], ...]  # (triple, head node id, tail node id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "date": self.date,
            "source": self.source,
            "mentions": [_mention_dict(m) | {"node": node} for m, node in self.mentions],
            "triples": [s.to_dict() | {"head_node": h, "tail_node": t} for s, h, t in self.triples],
        }


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    documents: tuple[DocumentView, ...]
    merges: tuple[Merge, ...]
    stats: dict[str, Any]

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "newsgraph-kg",
            "version": GRAPH_FORMAT_VERSION,
            "stats": self.stats,
            "nodes": [n.to_dict() for n in self.nodes],
            "edges": [e.to_dict() for e in self.edges],
            "documents": [d.to_dict() for d in self.documents],
            "merges": [
                {
                    "level": m.level,
                    "node": m.node_id,
                    "rule": m.rule,
                    "a": m.a,
                    "b": m.b,
                    "doc_ids": list(m.doc_ids),
                }
                for m in self.merges
            ],
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=indent)


def iso_date(value: str | None) -> str | None:
    """The calendar date (YYYY-MM-DD) a document date string starts with, or None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        logger.debug("date %r is not ISO 8601; ignored for first/last dates", value)
        return None


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:20]


def support_id(doc_id: str, t: Triple) -> str:
    """A stable id of one extracted triple: same document, spans, relation and rule give the same id."""
    return "t" + _digest(
        doc_id,
        t.relation,
        t.head.start,
        t.head.end,
        t.head.label,
        t.tail.start,
        t.tail.end,
        t.tail.label,
        t.rule,
    )


def edge_id(head: str, relation: str, tail: str) -> str:
    return "e" + _digest(head, relation, tail)


def document_input(doc: Document) -> DocumentInput:
    """A document's mentions for canonicalisation: its entities plus any triple argument missing from them."""
    mentions = [e.mention for e in doc.entities]
    mentions += [m for t in doc.triples for m in (t.head, t.tail)]
    part_of = [(t.head, t.tail) for t in doc.triples if t.relation == "part_of" and t.tail.label == "COUNTRY"]
    return DocumentInput(doc.id, doc.text, mentions, part_of)


def _support(doc: Document, t: Triple) -> Support:
    return Support(
        id=support_id(doc.id, t),
        doc_id=doc.id,
        relation=t.relation,
        head=t.head,
        tail=t.tail,
        sentence=t.sentence,
        evidence=t.evidence,
        score=t.score,
        rule=t.rule,
        extractor=t.extractor,
        version=t.version,
        trigger=t.trigger,
        date=iso_date(doc.date),
    )


def _document_view(doc: Document, canon: Canonicalisation) -> DocumentView:
    mentions = sorted(
        {(m.start, m.end, m.label): m for m in document_input(doc).mentions}.values(),
        key=lambda m: (m.start, m.end, m.label),
    )
    supports = {}
    for t in doc.triples:
        s = _support(doc, t)
        supports.setdefault(s.id, (s, canon.node_id(doc.id, t.head), canon.node_id(doc.id, t.tail)))
    triples = sorted(
        supports.values(), key=lambda x: (x[0].head.start, x[0].tail.start, x[0].relation, x[0].id)
    )
    return DocumentView(
        id=doc.id,
        title=doc.title,
        url=doc.url,
        date=iso_date(doc.date),
        source=doc.source,
        mentions=tuple((m, canon.node_id(doc.id, m)) for m in mentions),
        triples=tuple(triples),
    )


def _edges(views: Iterable[DocumentView], schema: Schema) -> tuple[list[Edge], int]:
    grouped: dict[tuple[str, str, str], list[Support]] = defaultdict(list)
    self_loops = 0
    for view in views:
        for s, head, tail in view.triples:
            if head == tail:
                self_loops += 1
                continue
            if schema.is_symmetric(s.relation) and tail < head:
                head, tail = tail, head
            grouped[(head, s.relation, tail)].append(s)
    edges = []
    for (head, relation, tail), support in sorted(grouped.items()):
        support.sort(key=lambda s: (s.doc_id, s.head.start, s.tail.start, s.id))
        scores = [s.score for s in support]
        dates = sorted(s.date for s in support if s.date)
        edges.append(
            Edge(
                id=edge_id(head, relation, tail),
                head=head,
                relation=relation,
                tail=tail,
                symmetric=schema.is_symmetric(relation),
                documents=len({s.doc_id for s in support}),
                mentions=len(support),
                max_confidence=max(scores),
                mean_confidence=round(sum(scores) / len(scores), 6),
                first_date=dates[0] if dates else None,
                last_date=dates[-1] if dates else None,
                support=tuple(support),
            )
        )
    return edges, self_loops


def _nodes(canon: Canonicalisation, tables: NameTables) -> list[Node]:
    nodes = []
    for entity in canon.nodes.values():
        aliases = sorted(entity.aliases.items(), key=lambda a: (-a[1], a[0]))
        nodes.append(
            Node(
                id=entity.id,
                type=entity.label,
                name=entity.name,
                aliases=tuple(aliases),
                mentions=entity.mentions,
                documents=len(entity.doc_ids),
                doc_ids=tuple(sorted(entity.doc_ids)),
                iso=entity.code,
                iso3=tables.alpha3(entity.code) if entity.code else None,
                scope=entity.scope,
            )
        )
    return nodes


def build_graph_from_records(records: Iterable[DocumentRecords], config: Config | None = None) -> Graph:
    """The graph of already read documents; documents whose status is not `ok` are left out."""
    config = config or Config()
    tables = NameTables.load(config)
    records = list(records)
    docs = sorted((to_document(r) for r in records if r.is_ok), key=lambda d: d.id)
    canon = canonicalise_corpus((document_input(d) for d in docs), tables)
    views = [_document_view(d, canon) for d in docs]
    edges, self_loops = _edges(views, config.schema)
    nodes = _nodes(canon, tables)
    stats = {
        "documents": len(docs),
        "documents_not_ok": len(records) - len(docs),
        "nodes": len(nodes),
        "edges": len(edges),
        "mentions": sum(n.mentions for n in nodes),
        "triples": sum(len(v.triples) for v in views),
        "self_loops": self_loops,
        "nodes_by_type": dict(sorted(Counter(n.type for n in nodes).items())),
        "edges_by_relation": dict(sorted(Counter(e.relation for e in edges).items())),
    }
    return Graph(tuple(nodes), tuple(edges), tuple(views), tuple(canon.merges), stats)


def build_graph(out_dir: Path, config: Config | None = None) -> Graph:
    """The aggregated graph of one extraction output folder (malformed lines are logged and skipped)."""
    config = config or Config()
    report = read_output(Path(out_dir), config.schema)
    return build_graph_from_records(report.documents, config)
