"""The `newsgraph` command: thin wiring over the stages. Data goes to stdout, messages and progress to stderr."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipeline import __version__
from pipeline.errors import PipelineError

app = typer.Typer(
    name="newsgraph",
    help="Turn raw news into typed triples with provenance, and evaluate the result.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
evaluate_app = typer.Typer(help="Score a stage against labelled data.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")
stderr = Console(stderr=True)
logger = logging.getLogger("pipeline")


def _setup_logging(verbose: int, quiet: bool) -> None:
    from rich.logging import RichHandler

    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = RichHandler(console=stderr, show_path=verbose >= 2, markup=False)
    logging.basicConfig(level=level, handlers=[handler], format="%(message)s", force=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"newsgraph {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """newsgraph: news → entities → typed triples → knowledge graph."""


@app.command()
def extract(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files or folders (searched recursively) of .txt, .html, "
            ".jsonl, their .gz, .warc(.gz); '-' reads JSONL from stdin."
        ),
    ],
    output: Annotated[
        str, typer.Option("-o", "--output", help="Output folder, or '-' for triples JSONL on stdout.")
    ],
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Extractor: 'baseline' (default).")
    ] = None,
    config_dir: Annotated[Path | None, typer.Option("--config-dir", help="Folder of TOML settings.")] = None,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Overwrite outputs of an earlier run.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit non-zero if any document ends in error.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar; errors only.")] = False,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="-v for info, -vv for debug.")
    ] = 0,
) -> None:
    """Clean, segment and extract entities and triples from news documents.

    Writes documents.jsonl, entities.jsonl, triples.jsonl and manifest.json into OUTPUT. Every input document
    gets a line in documents.jsonl with its status (ok, empty, skipped, error) and the reason.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from pipeline.config import Config
    from pipeline.run import run_extract

    _setup_logging(verbose, quiet)
    to_stdout = output == "-"
    errors: list[str] = []
    try:
        config = Config(config_dir)
        total = _count_inputs(inputs)
        progress = Progress(
            TextColumn("[bold]extract"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} docs/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=stderr,
            disable=quiet,
            transient=False,
        )
        with progress:
            task = progress.add_task("extract", total=total, rate="–")

            def on_document(doc: object) -> None:
                status, doc_id, reason = doc.status, doc.id, doc.reason
                if str(status) == "error":
                    errors.append(f"{doc_id}: {reason}")
                    logger.warning("%s: %s", doc_id, reason)
                elif str(status) != "ok":
                    logger.info("%s: %s (%s)", doc_id, status, reason)
                t = progress.tasks[task]
                rate = f"{t.completed / t.elapsed:.1f}" if t.elapsed else "–"
                if total is not None and t.completed + 1 > total:
                    progress.update(task, total=None)
                progress.update(task, advance=1, rate=rate)

            result = run_extract(
                inputs,
                None if to_stdout else Path(output),
                config=config,
                extractor=model,
                force=force,
                stdout=sys.stdout,
                stdin=sys.stdin,
                on_document=on_document,
            )
    except PipelineError as e:
        stderr.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    counts = result["counts"]
    if not quiet:
        status = ", ".join(f"{k} {v}" for k, v in counts["by_status"].items())
        where = "stdout" if to_stdout else output
        stderr.print(
            f"{counts['documents']} documents ({status}), {counts['entities']} entities, "
            f"{counts['triples']} triples → {where}"
        )
    if strict and errors:
        stderr.print(f"[red]--strict: {len(errors)} document(s) ended in error[/red]")
        raise typer.Exit(1)


def _count_inputs(inputs: list[str]) -> int | None:
    """Documents to expect, for the progress bar: files, plus lines of JSONL files; None if unknowable."""
    from pipeline.io import file_kind

    total = 0
    for item in inputs:
        if item == "-":
            return None
        path = Path(item)
        files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        for f in files:
            kind, gz = file_kind(f)
            if kind == "jsonl" and not gz and f.exists():
                with f.open("rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            else:
                total += 1
    return total


@evaluate_app.command("clean")
def evaluate_clean(
    gold: Annotated[
        Path, typer.Option("--gold", help="Labelled boilerplate folder (text/ and html/ pages).")
    ] = Path("data/boilerplate"),
    split: Annotated[str, typer.Option("--split", help="dev, test or all.")] = "dev",
    config_dir: Annotated[Path | None, typer.Option("--config-dir", help="Folder of TOML settings.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the metrics JSON here too.")
    ] = None,
    show_errors: Annotated[
        bool, typer.Option("--show-errors", help="List every wrongly kept or dropped line.")
    ] = False,
) -> None:
    """Line-level precision, recall and F1 of article-body lines on the labelled boilerplate pages."""
    from pipeline.config import Config
    from pipeline.evaluate import evaluate_cleaner, format_clean_table

    try:
        report = evaluate_cleaner(gold, split, Config(config_dir))
    except PipelineError as e:
        stderr.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    typer.echo(json.dumps(report["metrics"], indent=2))
    stderr.print(format_clean_table(report))
    if show_errors:
        for err in report["errors"]:
            stderr.print(err, markup=False, highlight=False)
    if output is not None:
        output.write_text(json.dumps(report["metrics"], indent=2) + "\n", encoding="utf-8")
