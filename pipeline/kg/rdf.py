"""The graph as RDF: IRIs, the `ng:` vocabulary, and the quads of each named graph.

Every IRI is a `urn:newsgraph:` URN (declared here, nowhere else), so nothing looks like a web address the project
does not own. Named graphs: one per document (`urn:newsgraph:doc:<id>`) holding that document's triples, and
`urn:newsgraph:graph:aggregate` holding the canonical entities and aggregated edges.

Annotations use RDF 1.2 triple terms (the standardised RDF-star), which pyoxigraph 0.5 supports: a relation is
asserted (`<e1> ng:alleges <e2>`) and a reifier resource points at it (`<t> rdf:reifies <<( <e1> ng:alleges
<e2> )>>`) and carries its provenance and confidence (`ng:confidence`, `ng:evidence`, offsets, ...). In the
aggregate graph the reifier is the edge (`ng:supportingDocuments`, `ng:maxConfidence`, `ng:support` -> the
per-document reifiers). Reifiers are IRIs derived from stable ids, never blank nodes, so loading the same data
twice gives identical quads. `as_rdf11` rewrites triple terms into classic `rdf:Statement` reification for tools
that do not read RDF 1.2 yet (rdflib 7, for one).

Literals are built with pyoxigraph's `Literal`, never by formatting strings, so any text is safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Quad, Triple

from pipeline.kg.graph import DocumentView, Edge, Graph, Node, Support

BASE = "urn:newsgraph:"
VOCAB = BASE + "vocab:"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = {"ng": VOCAB, "rdf": RDF, "rdfs": RDFS, "xsd": XSD}

AGGREGATE_GRAPH = NamedNode(BASE + "graph:aggregate")
RDF_TYPE = NamedNode(RDF + "type")
RDF_REIFIES = NamedNode(RDF + "reifies")
RDFS_LABEL = NamedNode(RDFS + "label")
XSD_DATE = NamedNode(XSD + "date")
XSD_ANY_URI = NamedNode(XSD + "anyURI")


def ng(term: str) -> NamedNode:
    """A term of the project vocabulary: ng:alleges, ng:confidence, ng:Entity ..."""
    return NamedNode(VOCAB + term)


def entity_iri(node_id: str) -> NamedNode:
    return NamedNode(BASE + "entity:" + quote(node_id, safe=":-"))


def document_iri(doc_id: str) -> NamedNode:
    return NamedNode(BASE + "doc:" + quote(doc_id, safe=""))


def support_iri(support_id: str) -> NamedNode:
    return NamedNode(BASE + "triple:" + support_id)


def edge_iri(edge_id: str) -> NamedNode:
    return NamedNode(BASE + "edge:" + edge_id)


def _date(value: str) -> Literal:
    return Literal(value, datatype=XSD_DATE)


def _document_quads(view: DocumentView) -> Iterator[tuple[object, NamedNode, object]]:
    doc = document_iri(view.id)
    yield doc, RDF_TYPE, ng("Document")
    yield doc, ng("docId"), Literal(view.id)
    if view.title:
        yield doc, ng("title"), Literal(view.title)
    if view.url:
        yield doc, ng("url"), Literal(view.url, datatype=XSD_ANY_URI)
    if view.date:
        yield doc, ng("date"), _date(view.date)
    if view.source:
        yield doc, ng("source"), Literal(view.source)
    for mention, node_id in view.mentions:
        yield doc, ng("mentions"), entity_iri(node_id)
        yield entity_iri(node_id), ng("surface"), Literal(mention.text)
    for support, head, tail in view.triples:
        yield from _support_quads(support, head, tail)


def _support_quads(s: Support, head: str, tail: str) -> Iterator[tuple[object, NamedNode, object]]:
    asserted = Triple(entity_iri(head), ng(s.relation), entity_iri(tail))
    t = support_iri(s.id)
    yield asserted.subject, asserted.predicate, asserted.object
    yield t, RDF_REIFIES, asserted
    yield t, RDF_TYPE, ng("Extraction")
    yield t, ng("document"), document_iri(s.doc_id)
    yield t, ng("relation"), Literal(s.relation)
    yield t, ng("confidence"), Literal(float(s.score))
    yield t, ng("sentence"), Literal(s.sentence)
    yield t, ng("evidence"), Literal(s.evidence)
    for side, m in (("head", s.head), ("tail", s.tail)):
        yield t, ng(f"{side}Text"), Literal(m.text)
        yield t, ng(f"{side}Start"), Literal(m.start)
        yield t, ng(f"{side}End"), Literal(m.end)
    if s.trigger:
        yield t, ng("triggerText"), Literal(s.trigger.text)
        yield t, ng("triggerStart"), Literal(s.trigger.start)
        yield t, ng("triggerEnd"), Literal(s.trigger.end)
    if s.rule:
        yield t, ng("rule"), Literal(s.rule)
    yield t, ng("extractor"), Literal(s.extractor)
    if s.version:
        yield t, ng("extractorVersion"), Literal(s.version)


def _node_quads(node: Node) -> Iterator[tuple[object, NamedNode, object]]:
    e = entity_iri(node.id)
    yield e, RDF_TYPE, ng("Entity")
    yield e, ng("id"), Literal(node.id)
    yield e, ng("label"), Literal(node.type)
    yield e, ng("name"), Literal(node.name)
    yield e, RDFS_LABEL, Literal(node.name)
    for alias, _ in node.aliases:
        yield e, ng("alias"), Literal(alias)
    yield e, ng("mentionCount"), Literal(node.mentions)
    yield e, ng("documentCount"), Literal(node.documents)
    if node.iso:
        yield e, ng("iso3166"), Literal(node.iso)
    if node.iso3:
        yield e, ng("iso3166Alpha3"), Literal(node.iso3)
    if node.scope:
        yield e, ng("scope"), entity_iri(f"country:{node.scope}")
        yield e, ng("scopeCode"), Literal(node.scope)


def _edge_quads(edge: Edge) -> Iterator[tuple[object, NamedNode, object]]:
    asserted = Triple(entity_iri(edge.head), ng(edge.relation), entity_iri(edge.tail))
    r = edge_iri(edge.id)
    yield asserted.subject, asserted.predicate, asserted.object
    yield r, RDF_REIFIES, asserted
    yield r, RDF_TYPE, ng("Edge")
    yield r, ng("relation"), Literal(edge.relation)
    yield r, ng("symmetric"), Literal(edge.symmetric)
    yield r, ng("supportingDocuments"), Literal(edge.documents)
    yield r, ng("supportingMentions"), Literal(edge.mentions)
    yield r, ng("maxConfidence"), Literal(float(edge.max_confidence))
    yield r, ng("meanConfidence"), Literal(float(edge.mean_confidence))
    if edge.first_date:
        yield r, ng("firstDate"), _date(edge.first_date)
    if edge.last_date:
        yield r, ng("lastDate"), _date(edge.last_date)
    for doc_id in sorted({s.doc_id for s in edge.support}):
        yield r, ng("supportingDocument"), document_iri(doc_id)
    for s in edge.support:
        yield r, ng("support"), support_iri(s.id)


def _quads(triples: Iterable[tuple[object, NamedNode, object]], graph: NamedNode) -> list[Quad]:
    return sorted({Quad(s, p, o, graph) for s, p, o in triples}, key=str)  # type: ignore[arg-type]


def document_quads(view: DocumentView) -> list[Quad]:
    """The named graph of one document: its metadata, the entities it mentions and its annotated triples."""
    return _quads(_document_quads(view), document_iri(view.id))


def aggregate_quads(graph: Graph) -> list[Quad]:
    """The aggregated graph: canonical entities and edges with counts, confidence, dates and support links."""

    def triples() -> Iterator[tuple[object, NamedNode, object]]:
        for node in graph.nodes:
            yield from _node_quads(node)
        for edge in graph.edges:
            yield from _edge_quads(edge)
        for relation in sorted({e.relation for e in graph.edges if e.symmetric}):
            yield ng(relation), RDF_TYPE, ng("SymmetricRelation")

    return _quads(triples(), AGGREGATE_GRAPH)


def graph_quads(graph: Graph) -> dict[NamedNode, list[Quad]]:
    """Every named graph of the store, by graph name: the documents' graphs and the aggregate."""
    out = {document_iri(view.id): document_quads(view) for view in graph.documents}
    out[AGGREGATE_GRAPH] = aggregate_quads(graph)
    return out


def as_rdf11(quads: Iterable[Quad]) -> Iterator[Quad]:
    """The same data with each `rdf:reifies` triple term written as `rdf:Statement` reification."""
    for q in quads:
        if q.predicate == RDF_REIFIES and isinstance(q.object, Triple):
            t = q.object
            yield Quad(q.subject, RDF_TYPE, NamedNode(RDF + "Statement"), q.graph_name)
            yield Quad(q.subject, NamedNode(RDF + "subject"), t.subject, q.graph_name)
            yield Quad(q.subject, NamedNode(RDF + "predicate"), t.predicate, q.graph_name)
            yield Quad(q.subject, NamedNode(RDF + "object"), t.object, q.graph_name)
        else:
            yield q
