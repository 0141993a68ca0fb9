"""Exports of the aggregated graph for the tools users load it into.

- `neo4j`: CSV files for `neo4j-admin database import full` (header conventions: `id:ID(Entity)`, `:LABEL`,
  `:START_ID(Entity)`, `:END_ID(Entity)`, `:TYPE`, typed columns such as `confidence:float`, arrays split on the
  array delimiter), three ID spaces (Entity, Document, Evidence) and an `import.sh` with the exact command. An
  edge's supporting triples are Evidence nodes linked to the head and tail entities and the document, carrying
  the edge's `edgeId`, since Neo4j relationships cannot point at nodes.
- `cypher`: the same graph as an idempotent Cypher script (MERGE on ids, then SET), string literals escaped.
- `nquads`: every named graph of the store (documents and aggregate); `turtle`: the aggregate graph. RDF 1.2
  triple terms by default, classic `rdf:Statement` reification with `rdf11=True`.
- `graphml`: a networkx MultiDiGraph (parallel edges for different relations) for networkx and Gephi.

Text is passed through each format's own escaping (csv quoting, Cypher escapes, pyoxigraph literals, XML), so
names with quotes, backslashes, newlines, `<`, `&` or any script survive unchanged.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import shlex
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import networkx as nx
from pyoxigraph import Quad, RdfFormat, serialize

from pipeline.errors import DataError
from pipeline.kg.graph import Edge, Graph, Node
from pipeline.kg.rdf import PREFIXES, aggregate_quads, as_rdf11, graph_quads

logger = logging.getLogger(__name__)

FORMATS = ("neo4j", "cypher", "nquads", "turtle", "graphml")
_DELIMITERS = (";", "|", "¦", "␞")  # the first one no array value contains is used
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def neo4j_label(node_type: str) -> str:
    """A Neo4j label from an entity type: COUNTRY -> Country."""
    return node_type.capitalize()


def neo4j_type(relation: str) -> str:
    """A Neo4j relationship type from a relation: cooperates_with -> COOPERATES_WITH."""
    return relation.upper()


# Neo4j bulk import.


def _array_values(graph: Graph) -> Iterator[str]:
    for node in graph.nodes:
        yield from (alias for alias, _ in node.aliases)
        yield from node.doc_ids
    for edge in graph.edges:
        yield from (s.doc_id for s in edge.support)


def choose_delimiter(values: Iterable[str]) -> str:
    """The first candidate array delimiter that no array element contains (';' unless a value holds one)."""
    values = list(values)
    for delimiter in _DELIMITERS:
        if not any(delimiter in v for v in values):
            return delimiter
    raise DataError("every candidate Neo4j array delimiter occurs in a name; cannot write arrays")


def _entity_rows(graph: Graph, d: str) -> Iterator[list[Any]]:
    yield [
        "id:ID(Entity)", ":LABEL", "name", "type", "aliases:string[]", "aliasCounts:int[]", "mentions:int",
        "documents:int", "iso3166", "iso3166Alpha3", "scope", "docIds:string[]",
    ]  # fmt: skip
    for n in graph.nodes:
        yield [
            n.id, f"Entity{d}{neo4j_label(n.type)}", n.name, n.type, d.join(a for a, _ in n.aliases),
            d.join(str(c) for _, c in n.aliases), n.mentions, n.documents, n.iso, n.iso3, n.scope,
            d.join(n.doc_ids),
        ]  # fmt: skip


def _document_rows(graph: Graph) -> Iterator[list[Any]]:
    yield ["id:ID(Document)", ":LABEL", "title", "url", "date:date", "source"]
    for v in graph.documents:
        yield [v.id, "Document", v.title, v.url, v.date, v.source]


def _relationship_rows(graph: Graph, d: str) -> Iterator[list[Any]]:
    yield [
        ":START_ID(Entity)", ":END_ID(Entity)", ":TYPE", "edgeId", "relation", "symmetric:boolean",
        "documents:int", "mentions:int", "maxConfidence:float", "meanConfidence:float", "firstDate:date",
        "lastDate:date", "docIds:string[]", "evidenceIds:string[]",
    ]  # fmt: skip
    for e in graph.edges:
        yield [
            e.head, e.tail, neo4j_type(e.relation), e.id, e.relation, str(e.symmetric).lower(), e.documents,
            e.mentions, e.max_confidence, e.mean_confidence, e.first_date, e.last_date,
            d.join(sorted({s.doc_id for s in e.support})), d.join(s.id for s in e.support),
        ]  # fmt: skip


def _evidence_rows(graph: Graph) -> Iterator[list[Any]]:
    yield [
        "id:ID(Evidence)", ":LABEL", "edgeId", "relation", "docId", "sentence:int", "evidence", "score:float",
        "headText", "headStart:int", "headEnd:int", "tailText", "tailStart:int", "tailEnd:int", "trigger",
        "rule", "extractor",
    ]  # fmt: skip
    for e in graph.edges:
        for s in e.support:
            yield [
                s.id, "Evidence", e.id, s.relation, s.doc_id, s.sentence, s.evidence, s.score, s.head.text,
                s.head.start, s.head.end, s.tail.text, s.tail.start, s.tail.end,
                s.trigger.text if s.trigger else None, s.rule, s.extractor,
            ]  # fmt: skip


def _evidence_entity_rows(graph: Graph) -> Iterator[list[Any]]:
    yield [":START_ID(Evidence)", ":END_ID(Entity)", ":TYPE"]
    for e in graph.edges:
        for s in e.support:
            yield [s.id, e.head, "HEAD"]
            yield [s.id, e.tail, "TAIL"]


def _evidence_document_rows(graph: Graph) -> Iterator[list[Any]]:
    yield [":START_ID(Evidence)", ":END_ID(Document)", ":TYPE"]
    for e in graph.edges:
        for s in e.support:
            yield [s.id, s.doc_id, "FROM"]


def _write_csv(path: Path, rows: Iterable[list[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerows(rows)


NEO4J_NODE_FILES = ("entities.csv", "documents.csv", "evidence.csv")
NEO4J_RELATIONSHIP_FILES = ("relationships.csv", "evidence_entities.csv", "evidence_documents.csv")


def write_neo4j(graph: Graph, folder: Path) -> list[Path]:
    """Write the Neo4j bulk-import CSVs and `import.sh` into `folder`; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    d = choose_delimiter(_array_values(graph))
    tables = {
        "entities.csv": _entity_rows(graph, d),
        "documents.csv": _document_rows(graph),
        "evidence.csv": _evidence_rows(graph),
        "relationships.csv": _relationship_rows(graph, d),
        "evidence_entities.csv": _evidence_entity_rows(graph),
        "evidence_documents.csv": _evidence_document_rows(graph),
    }
    written = []
    for name, rows in tables.items():
        _write_csv(folder / name, rows)
        written.append(folder / name)
    script = folder / "import.sh"
    script.write_text(_import_script(d), encoding="utf-8")
    return [*written, script]


def _import_script(delimiter: str) -> str:
    args = [f"--nodes={name}" for name in NEO4J_NODE_FILES]
    args += [f"--relationships={name}" for name in NEO4J_RELATIONSHIP_FILES]
    return (
        "#!/bin/sh\n"
        "# Bulk import of the newsgraph knowledge graph into an empty Neo4j 5 database (default: neo4j).\n"
        "# Run from this folder with the database stopped; an existing database is replaced.\n"
        'cd "$(dirname "$0")" || exit 1\n'
        "neo4j-admin database import full --overwrite-destination --multiline-fields=true "
        f"--array-delimiter={shlex.quote(delimiter)} \\\n  " + " \\\n  ".join(args) + ' \\\n  "${1:-neo4j}"\n'
    )


# Cypher.


def cypher_string(value: str) -> str:
    """A Cypher string literal: single-quoted; backslash, quotes and control characters escaped."""
    out = []
    for char in value:
        if char in "\\'\"":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or char in "\u2028\u2029":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def cypher_name(identifier: str) -> str:
    """A label or relationship type, backtick-quoted."""
    return "`" + identifier.replace("`", "``") + "`"


def cypher_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return cypher_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(cypher_value(v) for v in value) + "]"
    raise TypeError(f"no Cypher literal for {value!r}")


def _cypher_date(value: str | None) -> str:
    return f"date({cypher_string(value)})" if value else "null"


def _set(var: str, props: dict[str, Any]) -> str:
    return ", ".join(f"{var}.{k} = {cypher_value(v)}" for k, v in props.items())


def _node_statement(n: Node) -> str:
    props = {
        "name": n.name,
        "type": n.type,
        "aliases": [a for a, _ in n.aliases],
        "aliasCounts": [c for _, c in n.aliases],
        "mentions": n.mentions,
        "documents": n.documents,
        "iso3166": n.iso,
        "iso3166Alpha3": n.iso3,
        "scope": n.scope,
        "docIds": list(n.doc_ids),
    }
    return (
        f"MERGE (n:Entity {{id: {cypher_string(n.id)}}}) SET n:{cypher_name(neo4j_label(n.type))}, "
        f"{_set('n', props)};"
    )


def _edge_statements(e: Edge) -> Iterator[str]:
    props = {
        "relation": cypher_value(e.relation),
        "symmetric": cypher_value(e.symmetric),
        "documents": cypher_value(e.documents),
        "mentions": cypher_value(e.mentions),
        "maxConfidence": cypher_value(e.max_confidence),
        "meanConfidence": cypher_value(e.mean_confidence),
        "firstDate": _cypher_date(e.first_date),
        "lastDate": _cypher_date(e.last_date),
        "docIds": cypher_value(sorted({s.doc_id for s in e.support})),
        "evidenceIds": cypher_value([s.id for s in e.support]),
    }
    sets = ", ".join(f"r.{k} = {v}" for k, v in props.items())
    yield (
        f"MATCH (a:Entity {{id: {cypher_string(e.head)}}}), (b:Entity {{id: {cypher_string(e.tail)}}}) "
        f"MERGE (a)-[r:{cypher_name(neo4j_type(e.relation))} {{edgeId: {cypher_string(e.id)}}}]->(b) SET {sets};"
    )
    for s in e.support:
        evidence = {
            "edgeId": e.id, "relation": s.relation, "docId": s.doc_id, "sentence": s.sentence,
            "evidence": s.evidence, "score": s.score, "headText": s.head.text, "headStart": s.head.start,
            "headEnd": s.head.end, "tailText": s.tail.text, "tailStart": s.tail.start, "tailEnd": s.tail.end,
            "trigger": s.trigger.text if s.trigger else None, "rule": s.rule, "extractor": s.extractor,
        }  # fmt: skip
        sid = cypher_string(s.id)
        yield f"MERGE (v:Evidence {{id: {sid}}}) SET {_set('v', evidence)};"
        yield (
            f"MATCH (v:Evidence {{id: {sid}}}), (a:Entity {{id: {cypher_string(e.head)}}}), "
            f"(b:Entity {{id: {cypher_string(e.tail)}}}), (d:Document {{id: {cypher_string(s.doc_id)}}}) "
            "MERGE (v)-[:HEAD]->(a) MERGE (v)-[:TAIL]->(b) MERGE (v)-[:FROM]->(d);"
        )


def write_cypher(graph: Graph, out: IO[str]) -> None:
    """The graph as Cypher statements, one a line; running the script twice leaves the same graph."""
    out.write(
        "// newsgraph knowledge graph. Idempotent: MERGE on ids, then SET. Run: cypher-shell -f graph.cypher\n"
    )
    for label in ("Entity", "Document", "Evidence"):
        name = f"newsgraph_{label.lower()}_id"
        out.write(f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE;\n")
    for n in graph.nodes:
        out.write(_node_statement(n) + "\n")
    for v in graph.documents:
        props = {"title": cypher_value(v.title), "url": cypher_value(v.url), "date": _cypher_date(v.date),
                 "source": cypher_value(v.source)}  # fmt: skip
        sets = ", ".join(f"d.{k} = {x}" for k, x in props.items())
        out.write(f"MERGE (d:Document {{id: {cypher_string(v.id)}}}) SET {sets};\n")
    for e in graph.edges:
        for statement in _edge_statements(e):
            out.write(statement + "\n")


# RDF.


def _rdf(quads: Iterable[Quad], rdf11: bool) -> list[Quad]:
    return list(as_rdf11(quads)) if rdf11 else list(quads)


def write_nquads(graph: Graph, out: IO[bytes], rdf11: bool = False) -> None:
    """Every named graph (documents and aggregate) as N-Quads."""
    quads = [q for _, qs in sorted(graph_quads(graph).items(), key=lambda kv: str(kv[0])) for q in qs]
    serialize(_rdf(quads, rdf11), out, RdfFormat.N_QUADS)


def write_turtle(graph: Graph, out: IO[bytes], rdf11: bool = False) -> None:
    """The aggregated graph (entities and edges; triples without their graph name) as Turtle."""
    triples = [q.triple for q in _rdf(aggregate_quads(graph), rdf11)]
    serialize(triples, out, RdfFormat.TURTLE, prefixes=PREFIXES)


# GraphML.


def _xml_safe(value: str) -> str:
    """XML 1.0 cannot hold most control characters; they become U+FFFD (the only change any export makes)."""
    if _XML_INVALID.search(value):
        logger.warning("GraphML: control characters in %r replaced by U+FFFD", value[:60])
        return _XML_INVALID.sub("\ufffd", value)
    return value


def _attributes(values: dict[str, Any]) -> dict[str, Any]:
    """GraphML attributes: no None (GraphML has no null), strings made XML-safe."""
    return {k: _xml_safe(v) if isinstance(v, str) else v for k, v in values.items() if v is not None}


def to_networkx(graph: Graph) -> nx.MultiDiGraph:
    """The aggregated graph as a networkx MultiDiGraph; each edge's key is the edge id."""
    g = nx.MultiDiGraph()
    for n in graph.nodes:
        aliases = json.dumps(dict(n.aliases), ensure_ascii=False)
        g.add_node(_xml_safe(n.id), **_attributes({
            "label": n.name, "name": n.name, "type": n.type, "aliases": aliases, "mentions": n.mentions,
            "documents": n.documents, "iso3166": n.iso, "iso3166_alpha3": n.iso3, "scope": n.scope,
        }))  # fmt: skip
    for e in graph.edges:
        g.add_edge(_xml_safe(e.head), _xml_safe(e.tail), key=e.id, **_attributes({
            "label": e.relation, "relation": e.relation, "symmetric": e.symmetric, "documents": e.documents,
            "mentions": e.mentions, "max_confidence": e.max_confidence, "mean_confidence": e.mean_confidence,
            "first_date": e.first_date, "last_date": e.last_date,
            "doc_ids": json.dumps(sorted({s.doc_id for s in e.support}), ensure_ascii=False),
        }))  # fmt: skip
    return g


def write_graphml(graph: Graph, out: IO[bytes]) -> None:
    nx.write_graphml(to_networkx(graph), out, encoding="utf-8", prettyprint=True)


def export_graph(graph: Graph, fmt: str, path: Path, rdf11: bool = False) -> list[Path]:
    """Write one export format to `path` (a folder for neo4j, a file otherwise); returns the files written."""
    path = Path(path)
    if fmt == "neo4j":
        return write_neo4j(graph, path)
    if fmt not in FORMATS:
        raise DataError(f"unknown export format {fmt!r}; available: {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "cypher":
        with path.open("w", encoding="utf-8", newline="\n") as f:
            write_cypher(graph, f)
    else:
        with path.open("wb") as fb:
            if fmt == "nquads":
                write_nquads(graph, fb, rdf11)
            elif fmt == "turtle":
                write_turtle(graph, fb, rdf11)
            else:
                write_graphml(graph, fb)
    return [path]
