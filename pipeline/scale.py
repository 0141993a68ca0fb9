"""Scale benchmarks over synthetic corpora built from the sample corpus.

- `make bench-scale` (`python -m pipeline.scale load`): corpora of 1,000, 10,000 and 100,000 articles, each run by
  its own `newsgraph extract` process; wall time, cost per document and the process's peak resident memory
  (from `wait4`) per size, so that memory that grows with the corpus would show. Results: `docs/scale.json` and
  a section of `docs/scale.md`.
- `make bench-gpu` (`python -m pipeline.scale gpu`): 10,000 articles through the model on a CUDA GPU, with worker
  processes cleaning and parsing ahead; words/s, docs/s and GPU utilisation sampled by `nvidia-smi`.

Synthetic articles are sentences of the sample corpus's cleaned bodies drawn at random (seeded) into paragraphs,
each article under a source of its own so that no line counts as repeated site chrome.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from random import Random
from typing import Any

from pipeline.benchmark import write_report
from pipeline.clean import Cleaner
from pipeline.config import Config
from pipeline.io import dumps, read_documents
from pipeline.types import Status

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
LOAD_MARKERS = ("<!-- make bench-scale: begin -->", "<!-- make bench-scale: end -->")
GPU_MARKERS = ("<!-- make bench-gpu: begin -->", "<!-- make bench-gpu: end -->")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")


def sentence_pool(config: Config, sample: Path = SAMPLE) -> list[str]:
    """The sentences of the sample corpus's article bodies (cleaned as a run would)."""
    cleaner = Cleaner(config)
    pool: list[str] = []
    for raw in read_documents([str(sample)]):
        if raw.status != Status.OK:
            continue
        result = cleaner.clean_html(raw.content) if raw.fmt == "html" else cleaner.clean_text(raw.content)
        for paragraph in result.text.split("\n"):
            pool.extend(s.strip() for s in _SENTENCE_END.split(paragraph) if len(s.split()) >= 6)
    if not pool:
        raise RuntimeError(f"{sample}: no sentences to build a synthetic corpus from")
    return sorted(set(pool))


def write_corpus(
    path: Path,
    n: int,
    pool: list[str],
    *,
    seed: int = 0,
    paragraphs: tuple[int, int] = (3, 6),
    sentences: int = 3,
) -> int:
    """`n` articles as JSONL; returns the number of words written."""
    rng = Random(seed)
    words = 0
    with path.open("w", encoding="utf-8") as f:
        for k in range(n):
            body = [
                " ".join(rng.choice(pool) for _ in range(rng.randint(1, sentences)))
                for _ in range(rng.randint(*paragraphs))
            ]
            text = "\n\n".join(body)
            words += len(text.split())
            f.write(dumps({"id": f"syn-{k:07d}", "source": f"synthetic-{k}", "text": text}))
    return words


def _newsgraph() -> str:
    exe = Path(sys.executable).parent / "newsgraph"
    return str(exe) if exe.exists() else "newsgraph"


def measure_run(corpus: Path, out: Path, args: list[str]) -> dict[str, Any]:
    """Wall time and peak resident memory of one `newsgraph extract` process."""
    cmd = [_newsgraph(), "extract", str(corpus), "-o", str(out), "--force", "-q", *args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}"
        )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "seconds": round(seconds, 2),
        # CPU seconds of the process: what the work cost, little changed by other jobs on a shared machine
        "cpu_seconds": round(cpu, 2),
        "cpu_ms_per_doc": round(1000 * cpu / max(1, counts["documents"]), 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "documents": counts["documents"],
        "by_status": counts["by_status"],
        "words": counts["words"],
        "triples": counts["triples"],
        "ms_per_doc": round(1000 * seconds / max(1, counts["documents"]), 3),
        "words_per_s": round(counts["words"] / seconds, 1),
        "stages": manifest["seconds"],
    }


def load_bench(sizes: list[int], model: str, workers: int, keep: Path | None = None) -> dict[str, Any]:
    config = Config()
    pool = sentence_pool(config)
    runs = []
    with tempfile.TemporaryDirectory(prefix="newsgraph-scale-") as tmp:
        work = keep or Path(tmp)
        for n in sizes:
            corpus = work / f"synthetic-{n}.jsonl"
            # one-paragraph articles of one or two sentences keep the 100,000-document run near 20 minutes on
            # 2 cores; what grows with the number of documents is what this measures
            write_corpus(corpus, n, pool, seed=n, paragraphs=(1, 1), sentences=2)
            run = measure_run(corpus, work / f"out-{n}", ["-m", model, "--workers", str(workers)])
            runs.append({"documents_in": n, **run})
            print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
            shutil.rmtree(work / f"out-{n}", ignore_errors=True)
    return {"kind": "load", "model": model, "workers": workers, "machine": _machine(), "runs": runs}


def _machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}


def load_markdown(result: dict[str, Any]) -> str:
    lines = [
        f"`make bench-scale`: extractor `{result['model']}`, {result['workers']} worker(s), "
        f"{result['machine']['cpus']} CPUs; one `newsgraph extract` process per corpus size, peak RSS from `wait4`.",
        "",
        "| documents | words | wall seconds | wall ms/document | CPU seconds | CPU ms/document | words/s | peak RSS (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["runs"]:
        lines.append(
            f"| {r['documents']:,} | {r['words']:,} | {r['seconds']:,} | {r['ms_per_doc']} | {r['cpu_seconds']:,} | "
            f"{r['cpu_ms_per_doc']} | {r['words_per_s']:,} | {r['peak_rss_mib']:,} |"
        )
    return "\n".join(lines) + "\n"


class GpuSampler:
    """Samples GPU utilisation (%) and memory with `nvidia-smi` in a thread while a run goes on."""

    def __init__(self, every: float = 0.5) -> None:
        self.every, self.samples = every, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        query = ["nvidia-smi", "--query-gpu=utilization.gpu,memory.used", "--format=csv,noheader,nounits"]
        while not self._stop.is_set():
            try:
                first = subprocess.run(query, capture_output=True, text=True, timeout=5).stdout.splitlines()[
                    0
                ]
                util, mem = (float(x) for x in first.split(","))
                self.samples.append((util, mem))
            except (OSError, subprocess.SubprocessError, ValueError, IndexError):
                pass
            self._stop.wait(self.every)

    def __enter__(self) -> GpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, Any]:
        if not self.samples:
            return {"samples": 0}
        utils = [u for u, _ in self.samples]
        return {
            "samples": len(utils),
            "mean_utilisation_pct": round(sum(utils) / len(utils), 1),
            "max_memory_mib": max(m for _, m in self.samples),
        }


def gpu_bench(n: int, model: str | None, workers: int, device: str) -> dict[str, Any]:
    """Words/s of `model` (default: the configured default extractor) over `n` synthetic documents on a GPU."""
    import torch

    from pipeline.device import resolve_device
    from pipeline.run import run_extract

    where = resolve_device(device)
    if not where.startswith("cuda"):
        raise SystemExit(
            "bench-gpu: torch sees no CUDA GPU here; nothing measured (use `make bench` on a CPU)"
        )
    config = Config()
    model = model or config.pipeline["default_extractor"]
    with tempfile.TemporaryDirectory(prefix="newsgraph-gpu-") as tmp:
        corpus = Path(tmp) / "synthetic.jsonl"
        write_corpus(corpus, n, sentence_pool(config), seed=n)
        t0 = time.perf_counter()
        with GpuSampler() as sampler:
            manifest = run_extract(
                [str(corpus)],
                Path(tmp) / "out",
                config=config,
                extractor=model,
                workers=workers,
                device=where,
            )
        seconds = time.perf_counter() - t0
    counts = manifest["counts"]
    return {
        "kind": "gpu",
        "gpu": torch.cuda.get_device_name(torch.device(where)),
        "torch": torch.__version__,
        "model": model,
        "workers": workers,
        "documents": counts["documents"],
        "words": counts["words"],
        "seconds": round(seconds, 2),
        "words_per_s": round(counts["words"] / seconds, 1),
        "docs_per_s": round(counts["documents"] / seconds, 2),
        "stages": manifest["seconds"],
        "gpu_sampling": sampler.summary(),
        "machine": _machine(),
    }


def gpu_markdown(r: dict[str, Any]) -> str:
    util = r["gpu_sampling"].get("mean_utilisation_pct", "not sampled")
    return (
        f"`make bench-gpu` on {r['gpu']} (torch {r['torch']}), {r['workers']} CPU workers, {r['documents']:,} "
        f"synthetic articles ({r['words']:,} words): {r['words_per_s']:,} words/s, {r['docs_per_s']} docs/s, "
        f"mean GPU utilisation {util}%.\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipeline.scale", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="kind", required=True)
    load = sub.add_parser("load", help="cost per document and peak memory at several corpus sizes")
    load.add_argument("--sizes", default="1000,10000,100000")
    load.add_argument("--model", default="baseline")
    load.add_argument("--workers", type=int, default=1)
    gpu = sub.add_parser("gpu", help="words/s and GPU utilisation on a CUDA GPU")
    gpu.add_argument("--docs", type=int, default=10_000)
    gpu.add_argument("--model", default=None, help="default: configs/pipeline.toml's default_extractor")
    gpu.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    gpu.add_argument("--device", default="cuda")
    for p in (load, gpu):
        p.add_argument("--report", type=Path, default=ROOT / "docs" / "scale.md")
        p.add_argument(
            "--output", type=Path, default=None, help="JSON results (default docs/scale-<kind>.json)"
        )
    args = parser.parse_args(argv)
    if args.kind == "load":
        result = load_bench([int(x) for x in args.sizes.split(",")], args.model, args.workers)
        section, markers = load_markdown(result), LOAD_MARKERS
    else:
        result = gpu_bench(args.docs, args.model, args.workers, args.device)
        section, markers = gpu_markdown(result), GPU_MARKERS
    output = args.output or ROOT / "docs" / f"scale-{args.kind}.json"
    output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    heading = "Load and memory (`make bench-scale`)" if args.kind == "load" else "GPU (`make bench-gpu`)"
    write_report(args.report, f"{markers[0]}\n{section}{markers[1]}", markers, heading)
    print(section)


if __name__ == "__main__":
    main()
