"""CPU speed (`make bench`): words per second through clean → segment → NER → relations over the sample corpus,
for the shipped model and the baseline, beside spaCy `en_core_web_sm` (its full pipeline with NER) over the same
cleaned texts in the same process, so the ratio is fair even when the machine is noisy.

The corpus is read once and repeated (`repeat` copies with distinct ids) so each timed pass lasts long enough to
measure; loading models is not timed. Each system runs `rounds` times and the best round counts (the least
disturbed by other work on the machine). Results go to a JSON file and a section of `docs/benchmarks.md`.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline import benchmark
from pipeline.config import Config
from pipeline.io import read_documents
from pipeline.run import Pipeline, RunStats, resolve_model
from pipeline.types import RawDocument, Status

BEGIN, END = "<!-- make bench: begin -->", "<!-- make bench: end -->"


def corpus(inputs: list[str], repeat: int) -> list[RawDocument]:
    raws = list(read_documents(inputs))
    return [replace(r, id=f"{r.id}#{k}") for k in range(repeat) for r in raws]


def time_pipeline(
    config: Config,
    extractor: str,
    raws: list[RawDocument],
    rounds: int,
    int8: bool = False,
    workers: int = 1,
) -> dict[str, Any]:
    """Best of `rounds` passes; with `workers` > 1 the worker processes are started by an untimed warm-up pass
    over the first documents (a long run pays that start once)."""
    t0 = time.perf_counter()
    pipeline = Pipeline(config, extractor, int8=int8, workers=workers)
    load = time.perf_counter() - t0
    if workers > 1:
        list(pipeline.process(raws[: 2 * workers], RunStats()))
    best: dict[str, Any] | None = None
    for _ in range(rounds):
        stats = RunStats()
        t1 = time.perf_counter()
        docs = list(pipeline.process(raws, stats))
        seconds = time.perf_counter() - t1
        if best is None or seconds < best["seconds"]:
            best = {
                "seconds": round(seconds, 3),
                "stages": {k: round(v, 3) for k, v in stats.seconds.items()},
                "documents": stats.documents,
                "ok": sum(1 for d in docs if d.status == Status.OK),
                "words": stats.words,
                "entities": stats.entities,
                "triples": stats.triples,
            }
    assert best is not None
    best["load_seconds"] = round(load, 3)
    best["words_per_s"] = round(best["words"] / best["seconds"], 1)
    best["docs_per_s"] = round(best["documents"] / best["seconds"], 2)
    best["name"] = pipeline.extractor.name
    best["workers"] = workers
    best["texts"] = [d.text for d in docs if d.status == Status.OK]
    if workers > 1:
        best["worker_peak_rss_mib"] = worker_peak_rss(pipeline)
    pipeline.close()
    return best


def worker_peak_rss(pipeline: Pipeline) -> float | None:
    """The largest peak resident memory of the worker processes, from /proc (VmHWM). `getrusage` cannot
    tell: a spawned child's maxrss includes its parent's memory at the moment of the fork."""
    pool = pipeline.front._pool
    peaks = []
    for pid in getattr(pool, "_processes", {}) or {}:
        try:
            status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
        except OSError:
            continue
        peaks += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")]
    return round(max(peaks), 1) if peaks else None


def time_spacy(config: Config, texts: list[str], rounds: int) -> dict[str, Any]:
    from pipeline.segment import load_nlp

    nlp = load_nlp(config.pipeline["spacy_model"])
    words = sum(len(t.split()) for t in texts)
    best = None
    for _ in range(rounds):
        t0 = time.perf_counter()
        n_ents = sum(len(d.ents) for d in nlp.pipe(texts, batch_size=int(config.pipeline["batch_size"])))
        seconds = time.perf_counter() - t0
        if best is None or seconds < best:
            best = seconds
    assert best is not None
    return {
        "name": "spaCy en_core_web_sm (full pipeline, NER)",
        "seconds": round(best, 3),
        "documents": len(texts),
        "words": words,
        "entities": n_ents,
        "words_per_s": round(words / best, 1),
        "docs_per_s": round(len(texts) / best, 2),
    }


def run_bench(
    config: Config,
    inputs: list[str],
    model: str,
    repeat: int = 8,
    rounds: int = 2,
    threads: int | None = None,
) -> dict[str, Any]:
    if threads:
        import torch

        torch.set_num_threads(threads)
    raws = corpus(inputs, repeat)
    systems: dict[str, dict[str, Any]] = {}
    folder = resolve_model(model, config) if model != "baseline" else None
    shared = folder is not None and _settings(folder).get("encoder_pass") == "shared"
    with tempfile.TemporaryDirectory() as tmp:
        runs: list[tuple[str, str, bool, int]] = [("model", model, False, 1), ("model_w2", model, False, 2)]
        if shared:  # the same weights through two encoder passes (tagger, then relation windows): the peer
            runs.append(("model_two_pass", str(_two_pass_copy(folder, Path(tmp))), False, 1))
        else:  # int8 quantises the relation pass, which a shared-pass model does not have
            runs += [("model_int8", model, True, 1), ("model_int8_w2", model, True, 2)]
        runs += [("baseline", "baseline", False, 1), ("baseline_w2", "baseline", False, 2)]
        for key, name, int8, workers in runs:
            systems[key] = time_pipeline(config, name, raws, rounds, int8=int8, workers=workers)
    texts = systems["model"]["texts"]
    for row in systems.values():
        row.pop("texts")
    peer = time_spacy(config, texts, rounds)
    systems["spacy"] = peer
    import resource

    import torch

    return {
        "machine": {
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(),
        },
        "corpus": {
            "inputs": inputs,
            "repeat": repeat,
            "documents": len(raws),
            "kinds": dict(Counter(r.fmt for r in raws)),
        },
        "rounds": rounds,
        "systems": systems,
        "ratio_to_spacy": {
            key: round(row["words_per_s"] / peer["words_per_s"], 3)
            for key, row in systems.items()
            if key != "spacy"
        },
        # Linux reports KiB: the benchmark process (every system ran in it) and the largest worker process
        "peak_rss_mib": {
            "main": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "largest_worker": max(
                (row.get("worker_peak_rss_mib") or 0 for row in systems.values()), default=0
            )
            or None,
        },
    }


def _settings(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "config.json").read_text(encoding="utf-8")).get("settings", {})


def _two_pass_copy(folder: Path, tmp: Path) -> Path:
    """A copy of a model folder set to encode twice (sentences for the tagger, windows for relations)."""
    out = tmp / folder.name
    shutil.copytree(folder, out)
    cfg = json.loads((out / "config.json").read_text(encoding="utf-8"))
    cfg["settings"]["encoder_pass"] = "two"
    (out / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    return out


def markdown(result: dict[str, Any], command: str) -> str:
    systems = result["systems"]
    peer = systems["spacy"]["words_per_s"]
    lines = [
        BEGIN,
        "",
        f"Command: `{command}` ({result['corpus']['documents']} documents: the sample corpus × "
        f"{result['corpus']['repeat']}; best of {result['rounds']} rounds; {result['machine']['cpus']} CPUs, "
        f"torch threads {result['machine']['torch_threads']}). Models loaded before timing.",
        "",
        "| system | stages timed | words | seconds | words/s | docs/s | ratio to spaCy sm |",
        "|---|---|---|---|---|---|---|",
    ]
    name = systems["model"]["name"]
    full = "clean → segment → NER → relations"
    rows = (
        ("model", f"newsgraph {name} (shipped model, float32)", full),
        ("model_w2", f"newsgraph {name}, `--workers 2`", full),
        ("model_two_pass", f"newsgraph {name}, same weights, two encoder passes (peer)", full),
        ("model_int8", f"newsgraph {name} `--int8` (relation pass int8)", full),
        ("model_int8_w2", f"newsgraph {name} `--int8 --workers 2`", full),
        ("baseline", "newsgraph baseline (rules)", full),
        ("baseline_w2", "newsgraph baseline, `--workers 2`", full),
        ("spacy", "spaCy `en_core_web_sm` (peer)", "tokenise, tag, parse, NER"),
    )
    for key, label, stages in rows:
        if key not in systems:
            continue
        row = systems[key]
        lines.append(
            f"| {label} | {stages} | {row['words']:,} | {row['seconds']:.2f} | **{row['words_per_s']:,.0f}** | "
            f"{row['docs_per_s']:.1f} | {row['words_per_s'] / peer:.2f} |"
        )
    stages = systems["model"]["stages"]
    rss = result.get("peak_rss_mib")
    lines += [
        "",
        f"Peak resident memory: benchmark process {rss['main']:,} MiB (every system ran in it), largest worker "
        "process "
        + (f"{rss['largest_worker']:,} MiB" if rss.get("largest_worker") else "not measured in this run")
        + "."
        if rss
        else "",
        "",
        "Shipped model, seconds per stage: "
        + ", ".join(f"{k} {v:.2f}" for k, v in sorted(stages.items()))
        + ".",
        "",
        END,
    ]
    return "\n".join(lines)


def write_report(path: Path, section: str) -> None:
    benchmark.write_report(path, section, (BEGIN, END), "Speed on CPU (`make bench`)")
