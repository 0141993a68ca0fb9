"""The embedded graph store: an Oxigraph database on disk, loaded from extraction outputs, queried with SPARQL.

A store folder holds:

- `oxigraph/`: the pyoxigraph database (one named graph per document plus the aggregate, see `pipeline.kg.rdf`);
- `documents/`: the records of every loaded document (one JSON file each, named by a hash of the document id),
  so the aggregated graph can be recomputed from everything loaded so far;
- `graph.json`: the aggregated graph (`Graph.to_json`), for tools that do not speak SPARQL;
- `kg-store.json`: what this folder is, so a command never writes into a folder that is not a store.

Loading replaces documents by id (a document whose status is not `ok` is skipped, so a failed re-extraction
never erases a good one), recomputes the whole graph from the saved records and rewrites only the named graphs
whose quads changed: loading the same output twice changes nothing.

Ready queries are `configs/kg/queries/*.rq`; their parameters are bound with pyoxigraph substitutions (values
are `Literal`s, never spliced into the query text).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, Store, Triple, Variable

from pipeline.config import Config
from pipeline.errors import DataError
from pipeline.io import AtomicWriter
from pipeline.kg.graph import Graph, build_graph_from_records
from pipeline.kg.inputs import DocumentRecords, ReadReport, read_output
from pipeline.kg.rdf import PREFIXES, graph_quads

logger = logging.getLogger(__name__)

MARKER = "kg-store.json"
STORE_FORMAT = {"format": "newsgraph-kg-store", "version": 1}
DOCUMENT_FIELDS = ("id", "source", "origin", "url", "title", "date", "status", "text")


@dataclass(slots=True)
class LoadReport:
    """What one load did."""

    read: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    skipped: int = 0
    documents: int = 0
    graphs_written: int = 0
    graphs_removed: int = 0
    quads: int = 0
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__ if k != "problems"} | {
            "problems": len(self.problems)
        }


def is_store(path: Path) -> bool:
    return (Path(path) / MARKER).is_file()


def _prepare(store_dir: Path) -> None:
    """Create the store folder, or check an existing one is a store (never write into another folder)."""
    if store_dir.exists() and not store_dir.is_dir():
        raise DataError(f"{store_dir}: not a folder")
    if store_dir.is_dir() and any(store_dir.iterdir()) and not is_store(store_dir):
        raise DataError(
            f"{store_dir}: folder is not empty and is not a newsgraph graph store ({MARKER} missing)"
        )
    (store_dir / "documents").mkdir(parents=True, exist_ok=True)
    marker = store_dir / MARKER
    if not marker.is_file():
        marker.write_text(json.dumps(STORE_FORMAT) + "\n", encoding="utf-8")


def _document_path(store_dir: Path, doc_id: str) -> Path:
    name = hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:32]
    return store_dir / "documents" / f"{name}.json"


def _saved_form(records: DocumentRecords) -> str:
    document = {k: records.document.get(k) for k in DOCUMENT_FIELDS if k in records.document}
    data = {"document": document, "entities": records.entities, "triples": records.triples}
    return json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n"


def save_documents(store_dir: Path, report: ReadReport, result: LoadReport) -> None:
    """Write each `ok` document's records into the store folder, replacing an earlier copy with the same id."""
    for records in report.documents:
        result.read += 1
        if not records.is_ok:
            result.skipped += 1
            logger.info("document %r has status %r; not loaded", records.id, records.document.get("status"))
            continue
        path = _document_path(store_dir, records.id)
        text = _saved_form(records)
        if path.is_file():
            if path.read_text(encoding="utf-8") == text:
                result.unchanged += 1
                continue
            result.replaced += 1
        else:
            result.added += 1
        with AtomicWriter(path) as f:
            f.write(text)


def saved_documents(store_dir: Path) -> list[DocumentRecords]:
    """The records of every document loaded into a store, sorted by document id."""
    out = []
    for path in sorted((Path(store_dir) / "documents").glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            out.append(DocumentRecords(data["document"], data["entities"], data["triples"]))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise DataError(
                f"{path}: damaged store file ({e}); load the outputs again into a new store"
            ) from None
    return sorted(out, key=lambda r: r.id)


def store_graph(store_dir: Path, config: Config | None = None) -> Graph:
    """The aggregated graph of everything loaded into a store, recomputed from the saved records."""
    if not is_store(store_dir):
        raise DataError(
            f"{store_dir}: not a newsgraph graph store ({MARKER} missing); run `newsgraph kg load`"
        )
    return build_graph_from_records(saved_documents(store_dir), config)


def _sync(store: Store, wanted: dict[NamedNode, list[Any]], result: LoadReport) -> None:
    """Make the store's named graphs exactly `wanted`, touching only graphs whose quads differ."""
    existing = set(store.named_graphs())
    for name in sorted(existing - set(wanted), key=str):
        store.remove_graph(name)
        result.graphs_removed += 1
    for name, quads in wanted.items():
        if name in existing:
            if set(store.quads_for_pattern(None, None, None, name)) == set(quads):
                continue
            store.remove_graph(name)
        store.extend(quads)
        result.graphs_written += 1
    result.quads = sum(len(q) for q in wanted.values())


def load_output(out_dir: Path, store_dir: Path, config: Config | None = None) -> LoadReport:
    """Load one extraction output folder into a store (created if needed) and recompute the aggregate."""
    config = config or Config()
    store_dir = Path(store_dir)
    report = read_output(Path(out_dir), config.schema)
    _prepare(store_dir)
    result = LoadReport(problems=report.problems)
    save_documents(store_dir, report, result)
    graph = store_graph(store_dir, config)
    result.documents = len(graph.documents)
    store = Store(str(store_dir / "oxigraph"))
    _sync(store, graph_quads(graph), result)
    store.flush()
    del store  # releases the database lock now, not at the next garbage collection
    text = graph.to_json() + "\n"
    graph_file = store_dir / "graph.json"
    if not graph_file.is_file() or graph_file.read_text(encoding="utf-8") != text:
        with AtomicWriter(graph_file) as f:
            f.write(text)
    return result


def quad_digest(store_dir: Path) -> tuple[int, str]:
    """(number of quads, sha256 of the sorted N-Quads lines) of a store: equal digests, equal contents."""
    store = Store.read_only(str(Path(store_dir) / "oxigraph"))
    lines = sorted(str(q) for q in store.quads_for_pattern(None, None, None, None))
    return len(lines), hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# Queries.


@dataclass(frozen=True, slots=True)
class ReadyQuery:
    """A shipped SPARQL query: `configs/kg/queries/<name>.rq`, its description and parameters."""

    name: str
    description: str
    params: dict[str, str]
    text: str


_HEADER = re.compile(r"^#\s*(description|param)\s*(\w*)\s*:\s*(.*)$")


def ready_queries(config: Config | None = None) -> dict[str, ReadyQuery]:
    """The shipped queries by name. A header comment says what each does: `# description: ...` and one
    `# param NAME: ...` line per parameter."""
    config = config or Config()
    out = {}
    for path in sorted(config.path("kg/queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        description, params = "", {}
        for line in text.splitlines():
            if match := _HEADER.match(line.strip()):
                kind, name, value = match.groups()
                if kind == "description":
                    description = value
                elif name:
                    params[name] = value
        out[path.stem] = ReadyQuery(path.stem, description, params, text)
    return out


@dataclass(slots=True)
class QueryResult:
    """A query's answer: rows for SELECT, a boolean for ASK, triples for CONSTRUCT and DESCRIBE."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)  # pyoxigraph terms, None where unbound
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)


def run_query(store_dir: Path, sparql: str, params: dict[str, str] | None = None) -> QueryResult:
    """Run SPARQL against a store. `params` bind variables to string literals (the variable must be selected)."""
    path = Path(store_dir) / "oxigraph"
    if not is_store(Path(store_dir)) or not path.is_dir():
        raise DataError(
            f"{store_dir}: not a newsgraph graph store; create it with `newsgraph kg load OUT_DIR`"
        )
    substitutions = {Variable(k): Literal(v) for k, v in (params or {}).items()}
    store = Store.read_only(str(path))
    try:
        answer = store.query(sparql, prefixes=PREFIXES, substitutions=substitutions or None)
    except SyntaxError as e:
        raise DataError(f"invalid SPARQL: {e}") from None
    except (RuntimeError, ValueError) as e:
        raise DataError(f"query failed: {e}") from None
    if isinstance(answer, QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows = [[solution[v] for v in variables] for solution in answer]
        return QueryResult("select", variables, rows)
    if isinstance(answer, QueryBoolean):
        return QueryResult("ask", boolean=bool(answer))
    return QueryResult("graph", triples=list(answer))


def term_text(term: Any) -> str:
    """A term as a person reads it: an IRI's value, a literal's lexical form, a triple term as << s p o >>."""
    if term is None:
        return ""
    if isinstance(term, NamedNode | BlankNode | Literal):
        return term.value
    if isinstance(term, Triple):
        return f"<< {term_text(term.subject)} {term_text(term.predicate)} {term_text(term.object)} >>"
    return str(term)


def term_json(term: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 JSON results format."""
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {
            "type": "triple",
            "value": {k: term_json(getattr(term, k)) for k in ("subject", "predicate", "object")},
        }
    raise TypeError(f"not an RDF term: {term!r}")


def result_json(result: QueryResult) -> dict[str, Any]:
    """The SPARQL 1.1 query results JSON document of a SELECT or ASK result."""
    if result.kind == "ask":
        return {"head": {}, "boolean": result.boolean}
    bindings = [
        {var: term_json(value) for var, value in zip(result.variables, row, strict=True) if value is not None}
        for row in result.rows
    ]
    return {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
