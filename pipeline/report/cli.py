"""`newsgraph report`: a thin command over `pipeline.report.render`. The page goes to a file (or stdout with
`-o -`); messages go to stderr.

Registered in `pipeline/cli.py` with `app.command("report")(report)`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipeline.errors import PipelineError


def _setup_logging(verbose: int, quiet: bool, console: Console) -> None:
    from rich.logging import RichHandler

    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = RichHandler(console=console, show_path=verbose >= 2, markup=False)
    logging.basicConfig(level=level, handlers=[handler], format="%(message)s", force=True)


def report(
    out_dir: Annotated[
        Path, typer.Argument(help="Extraction output folder (documents/entities/triples.jsonl).")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="HTML file to write; `-` writes to stdout.")
    ] = Path("report.html"),
    config_dir: Annotated[Path | None, typer.Option("--config-dir", help="Folder of TOML settings.")] = None,
    verbose: Annotated[int, typer.Option("-v", "--verbose", count=True, help="Log more (-v, -vv).")] = 0,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Log errors only.")] = False,
) -> None:
    """Write one self-contained offline HTML report: documents with highlighted entities and their triples, the
    aggregated graph (filter by type and relation, click a node for its evidence), and search."""
    from pipeline.config import Config
    from pipeline.report.render import build_report

    stderr = Console(stderr=True)
    _setup_logging(verbose, quiet, stderr)
    try:
        page, data = build_report(out_dir, Config(config_dir))
        if str(output) == "-":
            typer.echo(page, nl=False)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(page, encoding="utf-8")
    except PipelineError as e:
        stderr.print(f"[red]error:[/red] {e}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    except OSError as e:
        stderr.print(f"[red]error:[/red] {output}: {e.strerror or e}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    if not quiet:
        stats = data["stats"]
        where = "stdout" if str(output) == "-" else str(output)
        stderr.print(
            f"report: {stats['documents']} documents, {stats['nodes']} nodes, {stats['edges']} edges → {where}",
            highlight=False,
        )
