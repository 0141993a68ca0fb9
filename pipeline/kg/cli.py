"""`newsgraph kg`: thin commands over the knowledge-graph functions. Data goes to stdout, messages to stderr.

Registered in `pipeline/cli.py` with `app.add_typer(kg_app, name="kg")`.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from pipeline.errors import DataError, PipelineError

kg_app = typer.Typer(
    help="The knowledge graph: load extraction outputs into an embedded RDF store, query it, export it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")
Verbose = Annotated[int, typer.Option("-v", "--verbose", count=True, help="Log more (-v, -vv).")]
Quiet = Annotated[bool, typer.Option("-q", "--quiet", help="Log errors only.")]
StoreDir = Annotated[Path, typer.Option("--store", help="Graph store folder (created by `kg load`).")]
DEFAULT_STORE = Path("kg")
ConfigDir = Annotated[Path | None, typer.Option("--config-dir", help="Folder of TOML settings.")]


def _stderr() -> Console:
    return Console(stderr=True)


def _setup_logging(verbose: int, quiet: bool) -> None:
    from rich.logging import RichHandler

    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = RichHandler(console=_stderr(), show_path=verbose >= 2, markup=False)
    logging.basicConfig(level=level, handlers=[handler], format="%(message)s", force=True)


def _run(action: Callable[[], T]) -> T:
    """Run a command body; a `PipelineError` becomes a message on stderr and exit status 2."""
    try:
        return action()
    except PipelineError as e:
        _stderr().print(f"[red]error:[/red] {e}", markup=True, highlight=False)
        raise typer.Exit(2) from None


def _config(config_dir: Path | None) -> Any:
    from pipeline.config import Config

    return Config(config_dir)


@kg_app.command()
def load(
    out_dir: Annotated[
        Path, typer.Argument(help="Extraction output folder (documents/entities/triples.jsonl).")
    ],
    store: StoreDir = DEFAULT_STORE,
    config_dir: ConfigDir = None,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Load an extraction output into the graph store (documents replaced by id; the aggregate recomputed)."""
    from pipeline.kg.store import load_output

    _setup_logging(verbose, quiet)
    report = _run(lambda: load_output(out_dir, store, _config(config_dir)))
    typer.echo(json.dumps(report.to_dict(), sort_keys=True))
    if report.problems:
        _stderr().print(f"{len(report.problems)} malformed line(s) skipped (logged above)", highlight=False)


def _parse_params(values: list[str]) -> dict[str, str]:
    params = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip().isidentifier():
            raise DataError(f"--param {value!r}: expected NAME=VALUE")
        params[name.strip()] = text
    return params


def _select_query(
    sparql: str | None, name: str | None, config_dir: Path | None
) -> tuple[str, dict[str, str]]:
    from pipeline.kg.store import ready_queries

    if (sparql is None) == (name is None):
        raise DataError("give either a SPARQL query or --name NAME (see `newsgraph kg queries`)")
    if sparql is not None:
        return (sys.stdin.read() if sparql == "-" else sparql), {}
    queries = ready_queries(_config(config_dir))
    if name is None or name not in queries:
        raise DataError(f"no ready query {name!r}; available: {', '.join(queries) or 'none'}")
    return queries[name].text, queries[name].params


def _print_result(result: Any, fmt: str) -> None:
    from pipeline.kg.store import result_json, term_text

    if result.kind == "graph":
        for triple in result.triples:
            typer.echo(f"{triple} .")
        return
    if fmt == "json":
        typer.echo(json.dumps(result_json(result), ensure_ascii=False))
        return
    if result.kind == "ask":
        typer.echo("true" if result.boolean else "false")
        return
    table = Table(*result.variables, show_lines=False)
    for row in result.rows:
        table.add_row(*(term_text(t) for t in row))
    Console(file=sys.stdout, width=max(160, Console().width), highlight=False).print(table)


@kg_app.command()
def query(
    sparql: Annotated[str | None, typer.Argument(help="A SPARQL query ('-' reads it from stdin).")] = None,
    store: StoreDir = DEFAULT_STORE,
    name: Annotated[str | None, typer.Option("--name", help="Run a ready query (see `kg queries`).")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE binding ?NAME to a string.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table or json (SPARQL JSON results).")
    ] = "table",
    config_dir: ConfigDir = None,
) -> None:
    """Run SPARQL against the graph store and print the results (CONSTRUCT/DESCRIBE print N-Triples)."""
    from pipeline.kg.store import run_query

    def body() -> Any:
        if fmt not in ("table", "json"):
            raise DataError(f"--format {fmt!r}: expected table or json")
        text, declared = _select_query(sparql, name, config_dir)
        params = _parse_params(param or [])
        missing = sorted(set(declared) - set(params))
        if missing:
            needed = "; ".join(f"{k}: {declared[k]}" for k in missing)
            raise DataError(
                f"query {name!r} needs --param {' --param '.join(f'{k}=...' for k in missing)} ({needed})"
            )
        return run_query(store, text, params)

    _print_result(_run(body), fmt)


@kg_app.command()
def queries(config_dir: ConfigDir = None) -> None:
    """List the ready queries (configs/kg/queries/*.rq) with their parameters."""
    from pipeline.kg.store import ready_queries

    for q in _run(lambda: ready_queries(_config(config_dir))).values():
        params = " ".join(f"--param {k}=..." for k in q.params)
        typer.echo(f"{q.name}\t{params}\t{q.description}")


def _source_graph(source: Path, config_dir: Path | None) -> Any:
    from pipeline.kg.graph import build_graph
    from pipeline.kg.store import is_store, store_graph

    config = _config(config_dir)
    return store_graph(source, config) if is_store(source) else build_graph(source, config)


@kg_app.command()
def export(
    source: Annotated[Path, typer.Argument(help="Extraction output folder, or a graph store folder.")],
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="neo4j (CSV folder), cypher, nquads, turtle, graphml or json."),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output file (a folder for neo4j).")],
    rdf11: Annotated[
        bool, typer.Option("--rdf11", help="N-Quads/Turtle: rdf:Statement reification instead of RDF 1.2.")
    ] = False,
    config_dir: ConfigDir = None,
    verbose: Verbose = 0,
    quiet: Quiet = False,
) -> None:
    """Export the aggregated graph for Neo4j, RDF tools, networkx/Gephi, or as JSON."""
    from pipeline.kg.export import FORMATS, export_graph

    _setup_logging(verbose, quiet)

    def body() -> list[Path]:
        if fmt not in (*FORMATS, "json"):
            raise DataError(f"--format {fmt!r}: expected one of {', '.join((*FORMATS, 'json'))}")
        graph = _source_graph(source, config_dir)
        if fmt == "json":
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(graph.to_json(indent=1) + "\n", encoding="utf-8")
            return [output]
        return export_graph(graph, fmt, output, rdf11=rdf11)

    for path in _run(body):
        typer.echo(str(path))


@kg_app.command("score-canon")
def score_canon(
    split: Annotated[str, typer.Option("--split", help="dev or test split of the news gold corpus.")] = "dev",
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Labelled corpora folder.")] = None,
    config_dir: ConfigDir = None,
) -> None:
    """Score within-document canonicalisation on the news gold corpus (pairwise merge P/R/F1)."""
    from pipeline.kg.evaluate import score_canonicalisation

    def body() -> dict[str, Any]:
        if split not in ("dev", "test"):
            raise DataError(f"--split {split!r}: expected dev or test")
        return score_canonicalisation(split, _config(config_dir), data_dir)

    scores = _run(body)
    typer.echo(json.dumps(scores, sort_keys=True))
    _stderr().print(
        f"{scores['split']}: P {scores['precision']:.4f} R {scores['recall']:.4f} F1 {scores['f1']:.4f} "
        f"({scores['gold_pairs']} gold pairs, {scores['mentions']} mentions, {scores['documents']} documents)",
        highlight=False,
    )
