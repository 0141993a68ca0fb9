"""The extraction run on Ray Data: the same stages as `pipeline.run`, spread over a pool of actors.

Reads the same inputs as `pipeline.io.read_documents` (files and folders; a folder of JSONL shards is a folder
input). Writes sharded JSONL into an output folder: `documents/`, `entities/` and `triples/`, each holding one
`part-NNNNNN.jsonl` per work unit, then `manifest.json` once every unit is done. Each shard is written under a
temporary name and renamed when complete, so a retried unit replaces its shards and never doubles them.

Work units follow the cleaning blocks of a single-process run (`pipeline.run.iter_blocks`): one unit per
multi-document file (JSONL, WARC), and runs of one-document files grouped `clean_block_docs` at a time. The
driver lists files only; the actors read them, so every node must see the inputs and the output folder at the
same paths. Ray is imported only when a run starts.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import ConfigError, PipelineError
from pipeline.io import AtomicWriter, _relative_id, _walk, dumps, file_kind, read_documents, read_file
from pipeline.records import document_record, entity_record, triple_record
from pipeline.run import OUTPUT_FILES, Pipeline, RunStats, iter_blocks, manifest, resolve_model
from pipeline.types import Document, RawDocument, Status

logger = logging.getLogger(__name__)

SHARD_KINDS = ("documents", "entities", "triples")
# an actor process that dies (out of memory, a crash in native code) is restarted, and its unit retried, this often
ACTOR_RESTARTS = 3
Entry = tuple[str | None, str]  # (absolute file path, relative id), or (None, input name) for a missing input


def plan_units(inputs: list[str], block_docs: int) -> list[list[Entry]]:
    """Cut the inputs into work units along the cleaning-block boundaries of a single-process run.

    Files come in `read_documents` order. A multi-document file is one unit (its blocks never mix with other
    files); one-document files, unsupported and missing inputs (each gives exactly one record) are grouped
    `block_docs` at a time, as `iter_blocks` groups them.
    """
    units: list[list[Entry]] = []
    run: list[Entry] = []

    def close_run() -> None:
        if run:
            units.append(list(run))
            run.clear()

    for entry, is_multi in _entries(inputs):
        if is_multi:
            close_run()
            units.append([entry])
            continue
        run.append(entry)
        if len(run) == block_docs:
            close_run()
    close_run()
    return units


def _entries(inputs: list[str]) -> Iterator[tuple[Entry, bool]]:
    for item in inputs:
        if item == "-":
            raise PipelineError("--engine ray reads files and folders; '-' (stdin) needs --engine local")
        path = Path(item)
        if path.is_dir():
            base = path.resolve().parent
            for file in _walk(path):
                yield (str(file.resolve()), _relative_id(file, base)), _is_multi(file)
        elif path.exists():
            yield (str(path.resolve()), path.name), _is_multi(path)
        else:
            yield (None, item), False


def _is_multi(path: Path) -> bool:
    return file_kind(path)[0] in ("jsonl", "warc")


def read_unit(unit: list[Entry]) -> Iterator[RawDocument]:
    for path, rel in unit:
        if path is None:
            yield from read_documents([rel])  # the "no such file" record of a single-process run
        else:
            yield from read_file(Path(path), rel)


def process_unit(
    pipeline: Pipeline, index: int, unit: list[Entry], seen: dict[str, int], out_dir: Path
) -> dict:
    """Read, clean and extract one unit, write its three shards, and return its summary.

    `seen` counts the ids met in earlier units, so duplicate ids get the `#dupN` names of a single run. A
    block whose cleaning or extraction raises is recorded as error documents, never dropped.
    """
    stats = RunStats()
    counter: Counter[str] = Counter(seen)
    raws = list(read_unit(unit))
    docs: list[Document] = []
    for block in iter_blocks(raws, int(pipeline.settings["clean_block_docs"])):
        try:
            done = _process_block(pipeline, block, counter, stats)
        except Exception as e:  # one failing block must not lose the unit; its documents say why
            logger.exception("unit %d: a block of %d documents failed", index, len(block))
            reason = f"block failed: {type(e).__name__}: {e}"
            failed = [replace(raw, status=Status.ERROR, reason=reason, content="") for raw in block]
            done = _process_block(pipeline, failed, counter, stats)
        docs.extend(done)
        counter.update(raw.id for raw in block)
    name = f"part-{index:06d}.jsonl"
    for kind in SHARD_KINDS:
        (out_dir / kind).mkdir(parents=True, exist_ok=True)
    with AtomicWriter(out_dir / "documents" / name) as f:
        f.writelines(dumps(document_record(d)) for d in docs)
    with AtomicWriter(out_dir / "entities" / name) as f:
        f.writelines(dumps(entity_record(e)) for d in docs for e in d.entities)
    with AtomicWriter(out_dir / "triples" / name) as f:
        f.writelines(dumps(triple_record(t)) for d in docs for t in d.triples)
    return {
        "index": index,
        "ids": dict(Counter(raw.id for raw in raws)),
        "errors": [f"{d.id}: {d.reason}" for d in docs if d.status == Status.ERROR],
        "manifest": manifest(pipeline, [], stats),
    }


def _process_block(
    pipeline: Pipeline, block: list[RawDocument], seen: Counter[str], stats: RunStats
) -> list[Document]:
    """One cleaning block through `Pipeline.process`, its ids renamed as if `seen` ids had come before."""
    return list(pipeline.process(block, stats, seen=Counter(seen)))


class UnitWorker:
    """The Ray Data callable class: one `Pipeline` (spaCy and the extractor) per actor, loaded once."""

    def __init__(
        self,
        config: Config,
        extractor: str,
        thresholds: bool | None,
        int8: bool | None,
        device: str | None,
        out_dir: str,
    ):
        self.pipeline = Pipeline(config, extractor, thresholds, int8, device=device)
        self.out_dir = Path(out_dir)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        summaries = []
        for spec in batch["spec"]:
            unit = json.loads(spec)
            summary = process_unit(self.pipeline, unit["index"], unit["entries"], unit["seen"], self.out_dir)
            summaries.append(json.dumps(summary, ensure_ascii=False))
        return {"summary": np.array(summaries, dtype=object)}


def cross_unit_seen(id_counts: list[dict[str, int]]) -> dict[int, dict[str, int]]:
    """For each unit holding an id met in an earlier unit: how often each such id was met before it."""
    owners: defaultdict[str, list[int]] = defaultdict(list)
    for index, counts in enumerate(id_counts):
        for doc_id in counts:
            owners[doc_id].append(index)
    seen: defaultdict[int, dict[str, int]] = defaultdict(dict)
    for doc_id, units in owners.items():
        total = 0
        for index in units:
            if total:
                seen[index][doc_id] = total
            total += id_counts[index][doc_id]
    return dict(seen)


def prepare_sharded_output(out_dir: Path, force: bool) -> None:
    """Refuse to mix runs; with `force`, remove the outputs of an earlier run (single-process or sharded)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise PipelineError(f"{out_dir}: exists and is not a folder")
    existing = [name for name in (*OUTPUT_FILES, *SHARD_KINDS) if (out_dir / name).exists()]
    if existing and not force:
        raise PipelineError(f"{out_dir}: already holds {', '.join(existing)}; use --force to overwrite")
    for name in existing:
        path = out_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)


def run_ray(
    inputs: list[str],
    out_dir: Path,
    *,
    config: Config | None = None,
    extractor: str | None = None,
    thresholds: bool | None = None,
    int8: bool | None = None,
    force: bool = False,
    address: str | None = None,
    actors: int | None = None,
    cpus_per_actor: float = 1.0,
    gpus_per_actor: float = 0.0,
    device: str | None = None,
    on_unit: Callable[[dict], None] | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Run the pipeline over `inputs` on Ray and write sharded outputs into `out_dir`; returns the manifest.

    `address` None starts a local Ray instance for this run; "auto" or "ray://host:port" joins a running
    cluster. `device` is where each actor runs the model (`pipeline.run.Pipeline`; by default a GPU when Ray
    gave the actor one with `gpus_per_actor`). `actors` defaults to as many as the cluster's CPUs (and GPUs, if asked for) allow, at most one a
    unit. `on_unit` is called with each unit's summary, in input order, when all are done: its `errors`
    ("id: reason" of documents in error) and `manifest` (the unit's counts). `progress` shows Ray Data's bars.
    """
    try:
        import ray
        import ray.data
    except ImportError:
        raise ConfigError(
            "--engine ray needs Ray: pip install 'newsgraph[ray]' (or 'ray[data]' in this environment)"
        ) from None
    t0 = time.perf_counter()
    config = Config((config or Config()).root.resolve())  # actors may start in another working folder
    extractor = extractor or config.pipeline["default_extractor"]
    if extractor != "baseline":
        extractor = str(resolve_model(extractor, config).resolve())
    out_dir = out_dir.resolve()
    units = plan_units(inputs, int(config.pipeline["clean_block_docs"]))
    prepare_sharded_output(out_dir, force)
    started = _connect(ray, address)
    ray.data.DataContext.get_current().enable_progress_bars = progress
    try:
        actors = _actor_count(ray, actors, len(units), cpus_per_actor, gpus_per_actor)
        worker_args = {
            "config": config,
            "extractor": extractor,
            "thresholds": thresholds,
            "int8": int8,
            "device": device,
            "out_dir": str(out_dir),
        }
        options = {"actors": actors, "cpus": cpus_per_actor, "gpus": gpus_per_actor}
        summaries = _run_units(units, {}, range(len(units)), worker_args, options)
        rerun = cross_unit_seen([summaries[i]["ids"] for i in range(len(units))])
        if rerun:
            # ids repeated across units: redo those units knowing the earlier counts, as one process would
            logger.info("%d unit(s) hold ids seen in earlier units; redoing them", len(rerun))
            summaries.update(_run_units(units, rerun, sorted(rerun), worker_args, options))
    finally:
        if started:
            ray.shutdown()
    if on_unit is not None:
        for i in range(len(units)):
            on_unit(summaries[i])
    result = _merge_manifests([summaries[i]["manifest"] for i in range(len(units))], inputs)
    if result is None:  # no inputs at all: load the stages here only to describe the run
        result = manifest(Pipeline(config, extractor, thresholds, int8, device=device), inputs, RunStats())
    result["seconds"]["total"] = round(time.perf_counter() - t0, 3)
    result["engine"] = {
        "name": "ray",
        "address": address or "local",
        **options,
        "units": len(units),
        "units_redone": len(rerun),
        "shards": {kind: f"{kind}/part-*.jsonl" for kind in SHARD_KINDS},
    }
    with AtomicWriter(out_dir / "manifest.json") as f:
        f.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return result


def _connect(ray: Any, address: str | None) -> bool:
    """Start or join Ray unless this process already did; True when this run must shut it down."""
    if ray.is_initialized():
        return False
    # keep the level the caller gave Ray's logger (`ray.init` would reset it to INFO)
    level = logging.getLogger("ray").getEffectiveLevel()
    if address is None:
        ray.init(include_dashboard=False, logging_level=level)
    elif address.startswith("ray://"):
        ray.init(address=address)
    else:
        ray.init(address=address, logging_level=level)
    return True


def _actor_count(ray: Any, actors: int | None, n_units: int, cpus: float, gpus: float) -> int:
    if actors is not None:
        if actors < 1:
            raise PipelineError(f"--actors must be at least 1, found {actors}")
        return actors
    resources = ray.cluster_resources()
    fit = int(resources.get("CPU", 1) // cpus) if cpus > 0 else n_units
    if gpus > 0:
        fit = min(fit, int(resources.get("GPU", 0) // gpus))
        if fit < 1:
            raise PipelineError(f"the Ray cluster has no GPU for an actor asking for {gpus}")
    return max(1, min(fit, n_units))


def _run_units(
    units: list[list[Entry]],
    seen: dict[int, dict[str, int]],
    indices: Any,
    worker_args: dict[str, Any],
    options: dict[str, Any],
) -> dict[int, dict]:
    """Process the given units on an actor pool; the summaries by unit index."""
    import ray.data

    specs = [
        {"spec": json.dumps({"index": i, "entries": units[i], "seen": seen.get(i, {})}, ensure_ascii=False)}
        for i in indices
    ]
    summaries: dict[int, dict] = {}
    if not specs:
        return summaries
    with warnings.catch_warnings():
        # Ray Data restarts a dead actor and retries its work forever by default; a unit that kills its actor
        # every time must end the run instead. Ray 2.60 takes these limits only as the deprecated extra
        # remote arguments (removed in Ray 2.64, which will need another way).
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = ray.data.from_items(specs, override_num_blocks=len(specs)).map_batches(
            UnitWorker,
            fn_constructor_kwargs=worker_args,
            batch_size=1,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=min(options["actors"], len(specs))),
            num_cpus=options["cpus"],
            num_gpus=options["gpus"] or None,
            max_restarts=ACTOR_RESTARTS,
            max_task_retries=ACTOR_RESTARTS,
        )
    try:
        for row in dataset.iter_rows():
            summary = json.loads(row["summary"])
            summaries[summary["index"]] = summary
    except ray.exceptions.RayError as e:
        raise PipelineError(
            f"the Ray run failed; outputs are incomplete and no manifest was written: {e}"
        ) from e
    missing = sorted(set(indices) - set(summaries))
    if missing:
        raise PipelineError(f"the Ray run returned no result for unit(s) {missing}; no manifest was written")
    return summaries


def _merge_manifests(parts: list[dict[str, Any]], inputs: list[str]) -> dict[str, Any] | None:
    """One manifest from the units': counts summed; `seconds` summed over actors, so stage times are CPU time."""
    if not parts:
        return None
    result = dict(parts[0], inputs=inputs)
    counts: dict[str, Any] = {"documents": 0, "by_status": Counter(), "entities": 0, "triples": 0}
    counts |= {"by_relation": Counter(), "words": 0}
    seconds: Counter[str] = Counter()
    for part in parts:
        for key, value in part["counts"].items():
            counts[key] += Counter(value) if isinstance(value, dict) else value
        seconds.update(part["seconds"])
    for key in ("by_status", "by_relation"):
        counts[key] = dict(sorted(counts[key].items()))
    result["counts"] = counts
    result["seconds"] = {k: round(v, 3) for k, v in sorted(seconds.items())}
    return result
