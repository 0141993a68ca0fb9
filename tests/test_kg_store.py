"""The embedded Oxigraph store: idempotent loads, batches, ready queries, and the `kg` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Store, Triple
from typer.testing import CliRunner

from pipeline.config import Config
from pipeline.errors import DataError
from pipeline.kg.cli import kg_app
from pipeline.kg.rdf import AGGREGATE_GRAPH, RDF_REIFIES, document_iri, entity_iri, ng
from pipeline.kg.store import load_output, quad_digest, ready_queries, run_query, term_text

from .conftest import ROOT
from .test_kg_helpers import DOC_A, DOC_B, DOC_HOSTILE, HOSTILE_NAMES, SyntheticDoc, write_output


@pytest.fixture(scope="module")
def config() -> Config:
    return Config(ROOT / "configs")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, config: Config) -> Path:
    """A store holding DOC_A and DOC_B, loaded in two batches."""
    root = tmp_path_factory.mktemp("kg-store")
    store = root / "store"
    load_output(write_output(root / "batch1", [DOC_A]), store, config)
    load_output(write_output(root / "batch2", [DOC_B]), store, config)
    return store


def rows(store: Path, name: str, config: Config, **params: str) -> list[dict[str, str]]:
    result = run_query(store, ready_queries(config)[name].text, params)
    return [dict(zip(result.variables, (term_text(t) for t in row), strict=True)) for row in result.rows]


def test_second_load_changes_nothing(tmp_path: Path, config: Config) -> None:
    out = write_output(tmp_path / "out", [DOC_A, DOC_B])
    first = load_output(out, tmp_path / "store", config)
    before = quad_digest(tmp_path / "store")
    graph_json = (tmp_path / "store" / "graph.json").read_bytes()
    second = load_output(out, tmp_path / "store", config)
    assert quad_digest(tmp_path / "store") == before and before[0] == first.quads > 0
    assert (tmp_path / "store" / "graph.json").read_bytes() == graph_json
    assert (second.added, second.replaced, second.unchanged, second.graphs_written) == (0, 0, 2, 0)


def test_batches_add_up_to_one_load(loaded: Path, tmp_path: Path, config: Config) -> None:
    load_output(write_output(tmp_path / "out", [DOC_A, DOC_B]), tmp_path / "store", config)
    assert quad_digest(loaded) == quad_digest(tmp_path / "store")
    once = json.loads((tmp_path / "store" / "graph.json").read_text(encoding="utf-8"))
    assert once == json.loads((loaded / "graph.json").read_text(encoding="utf-8"))


def test_documents_are_replaced_by_id(tmp_path: Path, config: Config) -> None:
    store = tmp_path / "store"
    load_output(write_output(tmp_path / "v1", [DOC_A, DOC_B]), store, config)
    edited = SyntheticDoc("b1", "Italy condemned Spain.", [("Italy", "COUNTRY"), ("Spain", "COUNTRY")],
                          [(("Italy", "COUNTRY"), "alleges", ("Spain", "COUNTRY"), 0.8)])  # fmt: skip
    report = load_output(write_output(tmp_path / "v2", [edited, SyntheticDoc("b1x", "", [], status="error")]),
                         store, config)  # fmt: skip
    assert (report.replaced, report.skipped, report.documents) == (1, 1, 2)
    db = Store.read_only(str(store / "oxigraph"))
    b1 = document_iri("b1")
    assert Triple(entity_iri("country:IT"), ng("alleges"), entity_iri("country:ES")) in {
        q.triple for q in db.quads_for_pattern(None, None, None, b1)
    }
    assert not list(db.quads_for_pattern(entity_iri("country:US"), ng("alleges"), None, AGGREGATE_GRAPH))
    assert not list(db.quads_for_pattern(None, None, None, document_iri("b1x")))


def test_annotations_are_rdf_star_reifiers(loaded: Path) -> None:
    db = Store.read_only(str(loaded / "oxigraph"))
    asserted = Triple(entity_iri("org:safeguard-defenders"), ng("alleges"), entity_iri("country:CN"))
    [reifier] = [q.subject for q in db.quads_for_pattern(None, RDF_REIFIES, asserted, document_iri("a1"))]
    values = {
        q.predicate.value.rsplit(":", 1)[1]: q.object for q in db.quads_for_pattern(reifier, None, None, None)
    }
    assert values["confidence"] == Literal(0.9)
    assert values["document"] == document_iri("a1")
    assert values["headText"] == Literal("Safeguard Defenders")
    assert isinstance(reifier, NamedNode)  # no blank nodes: reloading gives identical quads


def test_ready_query_alleges_against_a_country(loaded: Path, config: Config) -> None:
    for country in ("China", "cn", "CHN", "Beijing", "People's Republic of China"):
        found = rows(loaded, "alleges-against", config, country=country)
        assert {(r["accuser"], r["doc"]) for r in found} == {
            ("Safeguard Defenders", "a1"),
            ("United States", "b1"),
        }
    evidence = {r["evidence"] for r in rows(loaded, "alleges-against", config, country="China")}
    assert "Washington accused Beijing" in evidence


def test_ready_query_agencies_of_a_country(loaded: Path, config: Config) -> None:
    found = rows(loaded, "agencies-of-country", config, country="China")
    assert [(r["name"], r["documents"]) for r in found] == [("Chinese Ministry of Foreign Affairs", "2")]
    assert set(found[0]["evidence"].split(", ")) == {"scope", "part_of"}


def test_ready_query_strongest_cooperation(loaded: Path, config: Config) -> None:
    found = rows(loaded, "strongest-cooperation", config)
    assert [(r["a"], r["b"], r["documents"], r["mentions"]) for r in found] == [("China", "Italy", "2", "2")]


def test_ready_query_edges_of_entity(loaded: Path, config: Config) -> None:
    found = rows(loaded, "edges-of-entity", config, entity="FBI")
    assert found == []  # the FBI has no edges in this corpus, but the query resolves the acronym
    found = rows(loaded, "edges-of-entity", config, entity="Mitsotakis")
    assert {(r["subject"], r["relation"], r["object"]) for r in found} == {
        ("Kyriakos Mitsotakis", "meets", "Recep Tayyip Erdogan"),
        ("United States", "meets", "Kyriakos Mitsotakis"),
    }


def test_parameters_cannot_inject_sparql(loaded: Path, config: Config) -> None:
    hostile = 'China" ) } } ; DELETE WHERE { ?s ?p ?o } #'
    assert rows(loaded, "alleges-against", config, country=hostile) == []
    assert quad_digest(loaded)[0] > 0


def test_names_survive_the_store_unchanged(tmp_path: Path, config: Config) -> None:
    store = tmp_path / "store"
    load_output(write_output(tmp_path / "out", [DOC_HOSTILE]), store, config)
    result = run_query(store, "SELECT ?name WHERE { GRAPH ?g { ?e ng:name ?name } }")
    assert {row[0].value for row in result.rows} == set(HOSTILE_NAMES.values())
    title = run_query(store, "SELECT ?t WHERE { GRAPH ?g { ?d ng:title ?t } }").rows[0][0].value
    assert title == DOC_HOSTILE.title


def test_store_refuses_foreign_folders_and_bad_queries(tmp_path: Path, loaded: Path, config: Config) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(DataError, match="not a newsgraph graph store"):
        load_output(write_output(tmp_path / "out", [DOC_A]), tmp_path / "notes", config)
    with pytest.raises(DataError, match="invalid SPARQL"):
        run_query(loaded, "SELECT WHERE {")
    with pytest.raises(DataError, match="not a newsgraph graph store"):
        run_query(tmp_path / "notes", "SELECT * WHERE { ?s ?p ?o }")


# The command line.


def test_cli_load_query_and_queries(tmp_path: Path) -> None:
    runner = CliRunner()
    out = write_output(tmp_path / "out", [DOC_A, DOC_B])
    store = str(tmp_path / "kg")
    loaded = runner.invoke(kg_app, ["load", str(out), "--store", store, "-q"])
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.stdout)["documents"] == 2
    listed = runner.invoke(kg_app, ["queries"])
    assert listed.exit_code == 0 and "alleges-against\t--param country=..." in listed.stdout
    answer = runner.invoke(kg_app, ["query", "--name", "alleges-against", "-p", "country=CN", "--store", store,
                                    "--format", "json"])  # fmt: skip
    assert answer.exit_code == 0, answer.output
    bindings = json.loads(answer.stdout)["results"]["bindings"]
    assert {b["accuser"]["value"] for b in bindings} == {"Safeguard Defenders", "United States"}
    table = runner.invoke(kg_app, ["query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                                   "--store", store])  # fmt: skip
    assert table.exit_code == 0 and "┃ n " in table.stdout
    ask = runner.invoke(kg_app, ["query", "ASK { GRAPH ?g { ?s ng:alleges ?o } }", "--store", store])
    assert ask.stdout.strip() == "true"


def test_cli_errors_exit_2_with_a_message(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(kg_app, ["load", str(tmp_path / "nowhere"), "--store", str(tmp_path / "kg")])
    assert missing.exit_code == 2 and "not found" in missing.output
    store = str(tmp_path / "kg")
    runner.invoke(kg_app, ["load", str(write_output(tmp_path / "out", [DOC_A])), "--store", store, "-q"])
    no_param = runner.invoke(kg_app, ["query", "--name", "alleges-against", "--store", store])
    assert no_param.exit_code == 2 and "--param country=" in no_param.output
    unknown = runner.invoke(kg_app, ["query", "--name", "nope", "--store", store])
    assert unknown.exit_code == 2 and "no ready query 'nope'" in unknown.output
    both = runner.invoke(
        kg_app, ["query", "SELECT * {}", "--name", "strongest-cooperation", "--store", store]
    )
    assert both.exit_code == 2
