"""The scale benchmarks' parts: synthetic corpora, one measured run, and the GPU benchmark's refusal on a CPU."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import device
from pipeline.config import Config
from pipeline.scale import gpu_bench, load_markdown, measure_run, sentence_pool, write_corpus


def test_synthetic_corpus_is_seeded_and_unique(tmp_path: Path, config: Config) -> None:
    pool = sentence_pool(config)
    assert len(pool) > 100 and all(len(s.split()) >= 6 for s in pool)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    words = write_corpus(a, 50, pool, seed=1)
    write_corpus(b, 50, pool, seed=1)
    assert a.read_bytes() == b.read_bytes() and words > 50 * 6
    records = [json.loads(line) for line in a.read_text(encoding="utf-8").splitlines()]
    assert len({r["id"] for r in records}) == len({r["source"] for r in records}) == 50


def test_one_measured_run_reports_memory_and_cost(tmp_path: Path, config: Config) -> None:
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 20, sentence_pool(config), seed=2, paragraphs=(1, 1), sentences=2)
    run = measure_run(corpus, tmp_path / "out", ["-m", "baseline"])
    assert run["documents"] == 20 and run["by_status"] == {"ok": 20}
    assert run["peak_rss_mib"] > 50 and run["ms_per_doc"] > 0 and run["words_per_s"] > 0
    assert run["cpu_seconds"] > 0 and run["cpu_ms_per_doc"] > 0
    table = load_markdown({"model": "baseline", "workers": 1, "machine": {"cpus": 2}, "runs": [run]})
    assert "| 20 |" in table


def test_gpu_bench_refuses_without_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device, "cuda_available", lambda: False)
    with pytest.raises(SystemExit, match="no CUDA GPU"):
        gpu_bench(10, None, 1, "auto")
