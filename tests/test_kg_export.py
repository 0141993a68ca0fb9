"""Exports parsed back: Neo4j CSVs, the Cypher script, N-Quads, Turtle and GraphML, with hostile names."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from pyoxigraph import Literal, RdfFormat, parse
from typer.testing import CliRunner

from pipeline.config import Config
from pipeline.kg.cli import kg_app
from pipeline.kg.export import cypher_string, export_graph, write_cypher
from pipeline.kg.graph import Graph, build_graph
from pipeline.kg.rdf import VOCAB, graph_quads

from .conftest import ROOT
from .test_kg_helpers import DOC_A, DOC_B, DOC_HOSTILE, HOSTILE_NAMES, write_output


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    out = write_output(tmp_path_factory.mktemp("kg-export") / "out", [DOC_A, DOC_B, DOC_HOSTILE])
    return build_graph(out, Config(ROOT / "configs"))


def names(graph: Graph) -> set[str]:
    return {n.name for n in graph.nodes}


def test_the_graph_holds_the_hostile_names(graph: Graph) -> None:
    assert set(HOSTILE_NAMES.values()) <= names(graph)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def test_neo4j_csvs_have_import_headers_and_valid_references(graph: Graph, tmp_path: Path) -> None:
    files = export_graph(graph, "neo4j", tmp_path / "neo4j")
    assert {p.name for p in files} >= {"entities.csv", "relationships.csv", "import.sh"}
    header, entities = read_csv(tmp_path / "neo4j" / "entities.csv")
    assert (
        header[:2] == ["id:ID(Entity)", ":LABEL"]
        and "aliases:string[]" in header
        and "mentions:int" in header
    )
    ids = {row["id:ID(Entity)"] for row in entities}
    assert ids == {n.id for n in graph.nodes}
    by_id = {row["id:ID(Entity)"]: row for row in entities}
    for node in graph.nodes:
        row = by_id[node.id]
        assert row["name"] == node.name
        assert row["aliases:string[]"].split(";") == [a for a, _ in node.aliases]
        assert row[":LABEL"].split(";") == ["Entity", node.type.capitalize()]
    _, documents = read_csv(tmp_path / "neo4j" / "documents.csv")
    doc_ids = {row["id:ID(Document)"] for row in documents}
    assert DOC_HOSTILE.id in doc_ids
    header, relationships = read_csv(tmp_path / "neo4j" / "relationships.csv")
    assert header[:3] == [":START_ID(Entity)", ":END_ID(Entity)", ":TYPE"] and "maxConfidence:float" in header
    assert len(relationships) == len(graph.edges)
    for row in relationships:
        assert row[":START_ID(Entity)"] in ids and row[":END_ID(Entity)"] in ids
        float(row["maxConfidence:float"])
    _, evidence = read_csv(tmp_path / "neo4j" / "evidence.csv")
    evidence_ids = {row["id:ID(Evidence)"] for row in evidence}
    for name, end_ids in (("evidence_entities.csv", ids), ("evidence_documents.csv", doc_ids)):
        header, links = read_csv(tmp_path / "neo4j" / name)
        assert header[0] == ":START_ID(Evidence)" and header[1].startswith(":END_ID(")
        assert all(r[":START_ID(Evidence)"] in evidence_ids and r[header[1]] in end_ids for r in links)
    script = (tmp_path / "neo4j" / "import.sh").read_text(encoding="utf-8")
    assert "neo4j-admin database import full" in script and "--array-delimiter=';'" in script


def cypher_literals(script: str) -> list[str]:
    """Every single-quoted string literal of a Cypher script, unescaped; fails on an unterminated one."""
    escapes = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", "'": "'", '"': '"'}
    literals, i = [], 0
    while i < len(script):
        if script[i] != "'":
            i += 1
            continue
        i += 1
        value = []
        while script[i] != "'":
            if script[i] == "\n":
                raise AssertionError("raw newline inside a Cypher string")
            if script[i] == "\\":
                if script[i + 1] == "u":
                    value.append(chr(int(script[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                value.append(escapes[script[i + 1]])
                i += 2
                continue
            value.append(script[i])
            i += 1
        literals.append("".join(value))
        i += 1
    return literals


def test_cypher_script_is_escaped_and_idempotent(graph: Graph) -> None:
    buffer = io.StringIO()
    write_cypher(graph, buffer)
    script = buffer.getvalue()
    lines = [line for line in script.splitlines() if not line.startswith("//")]
    assert all(line.endswith(";") for line in lines)
    assert not any(line.startswith("CREATE (") for line in lines)  # MERGE only: running it twice is a no-op
    literals = set(cypher_literals(script))
    assert names(graph) <= literals
    assert {n.id for n in graph.nodes} <= literals
    assert sum(line.startswith("MERGE (n:Entity") for line in lines) == len(graph.nodes)
    assert cypher_string("a'b\\c\nd\x01") == "'a\\'b\\\\c\\nd\\u0001'"


def test_nquads_parse_back_to_the_same_quads(graph: Graph, tmp_path: Path) -> None:
    path = export_graph(graph, "nquads", tmp_path / "graph.nq")[0]
    parsed = set(parse(path=str(path), format=RdfFormat.N_QUADS))
    expected = {q for quads in graph_quads(graph).values() for q in quads}
    assert parsed == expected
    literal_values = {q.object.value for q in parsed if isinstance(q.object, Literal)}
    assert set(HOSTILE_NAMES.values()) <= literal_values
    assert DOC_HOSTILE.id in literal_values


@pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")
def test_rdf11_nquads_and_turtle_parse_in_rdflib(graph: Graph, tmp_path: Path) -> None:
    nq = export_graph(graph, "nquads", tmp_path / "graph.nq", rdf11=True)[0]
    dataset = rdflib.Dataset()
    dataset.parse(str(nq), format="nquads")
    name = rdflib.URIRef(VOCAB + "name")
    assert {str(o) for _, _, o, _ in dataset.quads((None, name, None, None))} == names(graph)
    ttl = export_graph(graph, "turtle", tmp_path / "graph.ttl", rdf11=True)[0]
    turtle = rdflib.Graph()
    turtle.parse(str(ttl), format="turtle")
    assert {str(o) for o in turtle.objects(None, name)} == names(graph)
    statement = rdflib.URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement")
    assert len(set(turtle.subjects(rdflib.RDF.type, statement))) == len(graph.edges)


def test_turtle_of_the_aggregate_parses_back(graph: Graph, tmp_path: Path) -> None:
    path = export_graph(graph, "turtle", tmp_path / "graph.ttl")[0]
    triples = set(parse(path=str(path), format=RdfFormat.TURTLE))
    name = VOCAB + "name"
    assert {t.object.value for t in triples if t.predicate.value == name} == names(graph)


def test_graphml_reads_back_in_networkx(graph: Graph, tmp_path: Path) -> None:
    path = export_graph(graph, "graphml", tmp_path / "graph.graphml")[0]
    g = nx.read_graphml(path, force_multigraph=True)
    assert set(g.nodes) == {n.id for n in graph.nodes}
    assert {data["name"] for _, data in g.nodes(data=True)} == names(graph)
    assert g.number_of_edges() == len(graph.edges)
    relations = sorted(data["relation"] for _, _, data in g.edges(data=True))
    assert relations == sorted(e.relation for e in graph.edges)
    china = g.nodes["country:CN"]
    assert china["iso3166"] == "CN" and china["type"] == "COUNTRY"


def test_cli_export_every_format(tmp_path: Path) -> None:
    out = write_output(tmp_path / "out", [DOC_A, DOC_HOSTILE])
    runner = CliRunner()
    for fmt, target in (("neo4j", "neo4j"), ("cypher", "g.cypher"), ("nquads", "g.nq"), ("turtle", "g.ttl"),
                        ("graphml", "g.graphml"), ("json", "g.json")):  # fmt: skip
        result = runner.invoke(kg_app, ["export", str(out), "--format", fmt, "-o", str(tmp_path / target)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / target).exists()
    bad = runner.invoke(kg_app, ["export", str(out), "--format", "xlsx", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "expected one of" in bad.output
