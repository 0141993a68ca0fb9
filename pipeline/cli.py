"""The `newsgraph` command: thin wiring over the stages. Data goes to stdout, messages and progress to stderr."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from pipeline import __version__
from pipeline.errors import PipelineError
from pipeline.kg.cli import kg_app
from pipeline.report.cli import report

app = typer.Typer(
    name="newsgraph",
    help="Turn raw news into typed triples with provenance, and evaluate the result.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
evaluate_app = typer.Typer(
    help="Score a stage against labelled data. With --gold and --model and no subcommand: run the model on the "
    "gold texts and score every metric.",
)
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(kg_app, name="kg")
app.command("report")(report)
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
def train(
    settings: Annotated[
        Path, typer.Argument(help="Training settings (TOML), e.g. configs/train/conll2003-ner.toml.")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the model, its config and log.")],
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Labelled corpora folder.")] = None,
    config_dir: Annotated[Path | None, typer.Option("--config-dir", help="Folder of TOML settings.")] = None,
) -> None:
    """Train a model from canonical gold corpora; model selection on dev only."""
    from pipeline.config import Config, read_toml

    _setup_logging(1, False)
    try:
        config = Config(config_dir)
        spec = read_toml(settings)
        kind = spec.get("kind", "ner")
        if kind == "ner":
            from pipeline.train.ner import train_ner as trainer
        elif kind == "rel":
            from pipeline.train.rel import train_rel as trainer
        elif kind == "joint":
            from pipeline.train.joint import train_joint as trainer
        else:
            raise PipelineError(f"{settings}: unknown kind {kind!r}; available: ner, rel, joint")
        best = trainer(spec, output, config, data_dir, log=lambda m: stderr.print(m, markup=False))
        if kind == "joint":
            from pipeline.train.card import write_card

            stderr.print(f"model card → {write_card(output)}")
    except PipelineError as e:
        stderr.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    typer.echo(json.dumps({"best_epoch": best["epoch"], "dev_f1": best["f1"]}))


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
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Extractor: a model folder or a name under models/ (default: configs/pipeline.toml's "
            "default_extractor, the shipped news-v12), or 'baseline' (the rule-based baseline).",
        ),
    ] = None,
    precise: Annotated[
        bool | None,
        typer.Option(
            "--precise/--all-relations",
            help="Keep only relations scored above their dev threshold for the model's stated precision "
            "(see the model card), or every predicted relation. Default: configs/pipeline.toml.",
        ),
    ] = None,
    int8: Annotated[
        bool | None,
        typer.Option("--int8/--fp32", help="Quantise the model's linear layers to int8 (faster on CPU)."),
    ] = None,
    config_dir: Annotated[Path | None, typer.Option("--config-dir", help="Folder of TOML settings.")] = None,
    force: Annotated[
        bool, typer.Option("--force", "-f", help="Overwrite outputs of an earlier run.")
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue or update an earlier run into OUTPUT: documents finished under the same model and "
            "config (matched by content hash) are reused, new and changed ones are done.",
        ),
    ] = False,
    device: Annotated[
        str | None,
        typer.Option(
            "--device",
            help="Where the model runs: auto (a CUDA GPU when torch sees one), cpu, cuda or cuda:N. "
            "Default: configs/pipeline.toml.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            help="Processes that clean and segment ahead of the model (output unchanged).",
        ),
    ] = 1,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit non-zero if any document ends in error.")
    ] = False,
    engine: Annotated[
        Literal["local", "ray"],
        typer.Option(
            "--engine",
            help="local: this process. ray: Ray Data actors, sharded outputs (README: Distributed runs).",
        ),
    ] = "local",
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            help="Ray cluster to join: 'auto' or 'ray://host:port' (default: start one here).",
        ),
    ] = None,
    actors: Annotated[
        int | None,
        typer.Option("--actors", min=1, help="Ray actors, one model each (default: fill the CPUs)."),
    ] = None,
    cpus_per_actor: Annotated[
        float, typer.Option("--cpus-per-actor", min=0.0, help="Ray: CPUs per actor.")
    ] = 1.0,
    gpus_per_actor: Annotated[
        float, typer.Option("--gpus-per-actor", min=0.0, help="Ray: GPUs per actor.")
    ] = 0.0,
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
    if engine == "ray":
        if resume or workers > 1:
            stderr.print("[red]error:[/red] --resume and --workers apply to --engine local only")
            raise typer.Exit(2)
        options = {"extractor": model, "thresholds": precise, "int8": int8, "force": force, "device": device}
        options |= {"address": ray_address, "actors": actors}
        options |= {"cpus_per_actor": cpus_per_actor, "gpus_per_actor": gpus_per_actor}
        _extract_ray(inputs, output, config_dir, options, strict=strict, quiet=quiet)
        return
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
                thresholds=precise,
                int8=int8,
                force=force,
                resume=resume,
                workers=workers,
                device=device,
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


def _extract_ray(
    inputs: list[str], output: str, config_dir: Path | None, options: dict, *, strict: bool, quiet: bool
) -> None:
    """`extract --engine ray`: the run on Ray Data, sharded outputs in OUTPUT (see pipeline/distributed.py)."""
    from pipeline.config import Config
    from pipeline.distributed import run_ray

    errors: list[str] = []
    if quiet:
        _quiet_ray()
    try:
        if output == "-":
            raise PipelineError(
                "--engine ray writes sharded files into a folder; '-o -' needs --engine local"
            )
        result = run_ray(
            inputs,
            Path(output),
            config=Config(config_dir),
            on_unit=lambda summary: errors.extend(summary["errors"]),
            progress=not quiet,
            **options,
        )
    except PipelineError as e:
        stderr.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    for error in errors:
        logger.warning("%s", error)
    counts = result["counts"]
    if not quiet:
        status = ", ".join(f"{k} {v}" for k, v in counts["by_status"].items())
        stderr.print(
            f"{counts['documents']} documents ({status}), {counts['entities']} entities, "
            f"{counts['triples']} triples → {output} ({result['engine']['actors']} Ray actors)"
        )
    if strict and counts["by_status"].get("error"):
        stderr.print(f"[red]--strict: {counts['by_status']['error']} document(s) ended in error[/red]")
        raise typer.Exit(1)


def _quiet_ray() -> None:
    """Errors only from Ray: its loggers write to stderr through their own handlers, set up on import."""
    try:
        import ray.data  # noqa: F401
    except ImportError:
        return  # run_ray says how to install it
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)


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


GoldOption = Annotated[
    str,
    typer.Option(
        "--gold",
        help="Canonical gold JSONL, or CORPUS:SPLIT of a converted corpus (e.g. conll2003:test, dwie:dev).",
    ),
]
PredOption = Annotated[
    Path,
    typer.Option(
        "--pred", help="Predictions: canonical JSONL, or an extract output folder run on the gold texts."
    ),
]
LabelsOption = Annotated[
    str, typer.Option("--labels", help="'schema' (news schema) or 'orig' (the corpus's own labels).")
]
DataOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Labelled corpora folder (default: [data] dir in pipeline.toml)."),
]
ConfigOption = Annotated[Path | None, typer.Option("--config-dir", help="Folder of TOML settings.")]
JsonOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write the metrics JSON here too.")]


def _load_gold(config: object, gold: str, data_dir: Path | None) -> list:
    from pipeline.gold import store

    path = Path(gold)
    if path.is_file():
        return store.read_gold(path)
    corpus, sep, split = gold.partition(":")
    if not sep:
        raise PipelineError(f"--gold {gold!r}: not a file, and not CORPUS:SPLIT")
    return store.load(config, corpus, split, data_dir)


def _emit(result: dict, table: str, output: Path | None) -> None:
    """Metrics JSON on stdout (and in OUTPUT), the table on stderr."""
    typer.echo(json.dumps(result, indent=2))
    stderr.print(table)
    if output is not None:
        output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def _score_command(metric: str, gold: str, pred: Path, labels: str, data_dir, config_dir, output) -> None:
    from pipeline import metrics
    from pipeline.benchmark import read_predictions, score
    from pipeline.config import Config

    try:
        config = Config(config_dir)
        gold_docs = _load_gold(config, gold, data_dir)
        pred_docs = read_predictions(pred, gold_docs)
        result = score(config, gold_docs, pred_docs, metric, labels, gold.partition(":")[0])
    except PipelineError as e:
        stderr.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    _emit(result, metrics.format_table(result, f"{metric} ({labels} labels): {gold}"), output)


@evaluate_app.command("ner")
def evaluate_ner(
    gold: GoldOption,
    pred: PredOption,
    labels: LabelsOption = "schema",
    data_dir: DataOption = None,
    config_dir: ConfigOption = None,
    output: JsonOption = None,
) -> None:
    """Entity mentions: exact span and type; micro, macro and per type."""
    _score_command("ner", gold, pred, labels, data_dir, config_dir, output)


@evaluate_app.command("relations")
def evaluate_relations(
    gold: GoldOption,
    pred: PredOption,
    labels: LabelsOption = "schema",
    boundaries: Annotated[
        bool, typer.Option("--boundaries", help="Ignore entity types (boundaries mode); default strict.")
    ] = False,
    data_dir: DataOption = None,
    config_dir: ConfigOption = None,
    output: JsonOption = None,
) -> None:
    """Mention-level relations, strict or boundaries; symmetric relations match in either order."""
    metric = "relations-boundaries" if boundaries else "relations"
    _score_command(metric, gold, pred, labels, data_dir, config_dir, output)


@evaluate_app.command("triples")
def evaluate_triples(
    gold: GoldOption,
    pred: PredOption,
    labels: LabelsOption = "schema",
    data_dir: DataOption = None,
    config_dir: ConfigOption = None,
    output: JsonOption = None,
) -> None:
    """Document-level triples: (head entity, relation, tail entity), arguments matched by name."""
    _score_command("triples", gold, pred, labels, data_dir, config_dir, output)


@evaluate_app.callback(invoke_without_command=True)
def evaluate_model(
    ctx: typer.Context,
    gold: Annotated[
        str | None, typer.Option("--gold", help="CORPUS:SPLIT or canonical gold JSONL to run the model on.")
    ] = None,
    model: Annotated[
        str, typer.Option("--model", "-m", help="'baseline', 'spacy' (NER alone) or a trained model folder.")
    ] = "baseline",
    int8: Annotated[
        bool, typer.Option("--int8", help="Run a trained model with int8 linear layers.")
    ] = False,
    ensemble: Annotated[
        list[Path] | None,
        typer.Option(
            "--ensemble",
            help="Another trained tagger (kind = ner, same tags; repeatable) whose word-tag probabilities are "
            "averaged with MODEL's before decoding.",
        ),
    ] = None,
    alias_types: Annotated[
        list[str] | None,
        typer.Option(
            "--alias-types",
            help="Types the document-level alias rules may retype (repeatable; e.g. ORG, PER), in place of the "
            "model's own `alias_types` setting; 'none' turns them off.",
        ),
    ] = None,
    data_dir: DataOption = None,
    config_dir: ConfigOption = None,
    output: JsonOption = None,
) -> None:
    """Run MODEL on the gold texts and score every metric the corpus supports (see configs/eval.toml)."""
    if ctx.invoked_subcommand is not None:
        return
    if gold is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()
    aliases = None if alias_types is None else [t for t in alias_types if t != "none"]
    from pipeline import metrics
    from pipeline.benchmark import MODELS, EvalCorpus, Predictor, eval_corpus, score
    from pipeline.config import Config

    try:
        config = Config(config_dir)
        gold_docs = _load_gold(config, gold, data_dir)
        name = gold_docs[0].dataset if gold_docs else ""
        try:
            corpus = eval_corpus(config, name)
        except PipelineError:
            corpus = EvalCorpus(
                name, (), ("ner", "relations", "triples"), ("schema",), ("schema",), {}, {}, {}
            )
        results = {}
        folder = None
        if ensemble and model in MODELS:
            raise PipelineError("--ensemble combines taggers (kind = ner) only")
        if model not in MODELS:
            folder = Path(model)
            if not (folder / "config.json").is_file():
                raise PipelineError(
                    f"unknown model {model!r}; available: {', '.join(MODELS)}, or a trained model folder"
                )
            kind = json.loads((folder / "config.json").read_text(encoding="utf-8")).get("kind")
            if kind == "ner":
                from pipeline.train.ner import NerEnsemble, NerPredictor, evaluate

                predictor = (
                    NerEnsemble.load_all([folder, *ensemble]) if ensemble else NerPredictor.load(folder)
                )
                if aliases is not None:
                    predictor.settings["alias_types"] = aliases
                labels = predictor.settings["labels"]
                results = {f"ner ({labels})": evaluate(predictor, gold_docs, labels)}
                title = " + ".join([model, *map(str, ensemble or [])])
                _emit(results, metrics.format_table(results, f"{title} on {gold}"), output)
                return
            if ensemble:
                raise PipelineError("--ensemble combines taggers (kind = ner) only")
            if kind != "joint":
                raise PipelineError(f"{folder}: model kind {kind!r} cannot be run on gold texts here")
        runner = Predictor(config, folder, int8=int8)
        if aliases is not None and runner.model is not None:
            runner.model.ner.settings["alias_types"] = aliases
        pred = runner.predict(gold_docs, corpus)["model" if folder else model]
        own = runner.model.settings["labels"] if runner.model is not None else "schema"
        for metric in corpus.metrics if model != "spacy" else ("ner",):
            label_sets = corpus.label_sets if metric == "ner" else corpus.relation_label_sets
            for labels in label_sets:
                if own == "orig" and labels != "orig":
                    continue  # a benchmark model in a corpus's own labels has no news-schema output
                results[f"{metric} ({labels})"] = score(config, gold_docs, pred, metric, labels, name)
        if runner.model is not None and gold_docs and any(d.relations for d in gold_docs):
            from dataclasses import replace

            given = runner.model.rel.predict_docs([replace(d, relations=()) for d in gold_docs])
            results[f"relations, gold mentions ({own})"] = metrics.score_relations(
                gold_docs, given, labels=own
            )
        calibration = None
        if runner.model is not None:
            from pipeline.train.joint import output_ece

            calibration = output_ece(runner.model, gold_docs)
    except PipelineError as e:
        stderr.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    table = metrics.format_table(results, f"{model} on {gold}")
    if calibration is not None:
        table += "\nECE of the output scores: " + ", ".join(
            f"{kind} {c['ece']:.4f} ({c['n']} items)" for kind, c in calibration.items()
        )
        results = {**results, "calibration_ece": calibration}
    _emit(results, table, output)


@evaluate_app.command("benchmarks")
def evaluate_benchmarks(
    data_dir: DataOption = None,
    config_dir: ConfigOption = None,
    corpus: Annotated[
        list[str] | None, typer.Option("--corpus", help="Only these corpora (repeatable); default: all.")
    ] = None,
    report: Annotated[
        Path, typer.Option("--report", help="Markdown file whose `make eval` section is rewritten.")
    ] = Path("docs/benchmarks.md"),
    output: Annotated[Path, typer.Option("--output", "-o", help="Metrics JSON.")] = Path(
        "docs/benchmarks.json"
    ),
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Trained model for the model column (default: the shipped one)."),
    ] = None,
) -> None:
    """The baseline, spaCy NER and the shipped model on every configured corpus's dev and test splits; writes
    the report (make eval)."""
    from pipeline.benchmark import markdown, run_benchmarks, write_json, write_report
    from pipeline.config import Config

    _setup_logging(0, False)
    try:
        config = Config(config_dir)
        from pipeline.run import resolve_model

        try:
            folder = resolve_model(model or config.pipeline["default_extractor"], config)
        except PipelineError:
            folder = None  # the baseline is the default: no model column
        result = run_benchmarks(config, data_dir, corpus, progress=lambda m: stderr.print(m), model=folder)
        result["model"] = Path(os.path.relpath(folder)).as_posix() if folder else None
    except PipelineError as e:
        stderr.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    write_json(output, result)
    write_report(report, markdown(config, result, "make eval"))
    stderr.print(f"{len(result['rows'])} rows → {report}, {output}")


@app.command()
def calibrate(
    folder: Annotated[Path, typer.Argument(help="Joint model folder to calibrate again on its dev corpora.")],
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Labelled corpora folder.")] = None,
) -> None:
    """Fit temperatures and per-relation thresholds on the model's dev corpora; rewrites config.json and the card."""
    from pipeline.train.card import write_card
    from pipeline.train.joint import recalibrate

    _setup_logging(1, False)
    result = recalibrate(folder, data=data_dir)
    typer.echo(json.dumps({k: v for k, v in result.items() if k != "threshold_support"}, indent=1))
    stderr.print(f"model card → {write_card(folder)}")


@app.command()
def card(
    folder: Annotated[Path, typer.Argument(help="Model folder (config.json, model.safetensors, scores/).")],
) -> None:
    """Rewrite a model folder's README.md (model card) from what the folder records."""
    from pipeline.train.card import write_card

    if not (folder / "config.json").is_file():
        stderr.print(f"[red]error:[/red] {folder}: no config.json")
        raise typer.Exit(2)
    stderr.print(f"model card → {write_card(folder)}")


@app.command()
def bench(
    inputs: Annotated[
        list[str] | None, typer.Argument(help="Corpus to time (default: corpus/sample).")
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Model to time (default: the shipped one).")
    ] = None,
    repeat: Annotated[int, typer.Option("--repeat", help="Copies of the corpus per timed pass.")] = 8,
    rounds: Annotated[int, typer.Option("--rounds", help="Timed passes per system; the best counts.")] = 2,
    threads: Annotated[
        int | None, typer.Option("--threads", help="torch threads (default: torch's).")
    ] = None,
    config_dir: ConfigOption = None,
    report: Annotated[
        Path, typer.Option("--report", help="Markdown file whose `make bench` section is rewritten.")
    ] = Path("docs/benchmarks.md"),
    output: Annotated[Path, typer.Option("--output", "-o", help="Timings JSON.")] = Path("docs/bench.json"),
) -> None:
    """Words/s of the shipped model, the baseline and spaCy en_core_web_sm on the same documents (make bench)."""
    from pipeline.bench import markdown, run_bench, write_report
    from pipeline.benchmark import write_json
    from pipeline.config import Config

    _setup_logging(0, False)
    try:
        config = Config(config_dir)
        result = run_bench(
            config,
            inputs or ["corpus/sample"],
            model or config.pipeline["default_extractor"],
            repeat=repeat,
            rounds=rounds,
            threads=threads,
        )
    except PipelineError as e:
        stderr.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from None
    write_json(output, result)
    write_report(report, markdown(result, "make bench"))
    for key, row in result["systems"].items():
        stderr.print(
            f"{key}: {row['words_per_s']:,.0f} words/s ({row['words']:,} words in {row['seconds']:.2f} s)"
        )
