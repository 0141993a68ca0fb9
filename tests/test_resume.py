"""Crash-safe, resumable and deterministic runs: parts renamed into place, `--resume` after SIGKILL and after
changed inputs, and byte-identical outputs whatever the number of worker processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.parts import PartStore
from pipeline.run import run_extract

from .conftest import SAMPLE, config_with_blocks, read_jsonl

OUTPUTS = ("documents.jsonl", "entities.jsonl", "triples.jsonl")


@pytest.fixture(scope="module")
def small_blocks(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """Blocks of 2 documents, so a small corpus makes many parts."""
    return config_with_blocks(tmp_path_factory.mktemp("config"), 2)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus three times over (different ids), 39 documents."""
    root = tmp_path_factory.mktemp("corpus")
    for n in range(3):
        shutil.copytree(SAMPLE, root / f"copy{n}")
    return root


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, small_blocks: Config, corpus: Path) -> Path:
    out = tmp_path_factory.mktemp("reference")
    run_extract([str(corpus)], out, config=small_blocks, extractor="baseline", force=True)
    return out


def same_outputs(a: Path, b: Path) -> None:
    for name in OUTPUTS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_parts_are_whole_and_cover_every_document(reference: Path) -> None:
    docs = read_jsonl(reference / "documents.jsonl")
    parts = sorted((reference / "parts").glob("part-*.jsonl"))
    sizes = [len(p.read_text(encoding="utf-8").splitlines()) for p in parts]
    assert max(sizes) == 2 and len(parts) >= (len(docs) + 1) // 2  # one part a block of at most 2
    lines = [json.loads(line) for p in parts for line in p.read_text(encoding="utf-8").splitlines()]
    assert [line["document"] for line in lines] == docs
    assert not list((reference / "parts").glob(".*.tmp"))
    manifest = json.loads((reference / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"] == {
        "workers": 1,
        "device": "cpu",
        "reused": 0,
        "parts": len(parts),
        "parts_dropped": 0,
    }


def test_a_second_run_needs_force_or_resume(tmp_path: Path, small_blocks: Config) -> None:
    src = SAMPLE / "feed.jsonl"
    run_extract([str(src)], tmp_path, config=small_blocks, extractor="baseline")
    with pytest.raises(PipelineError, match="--resume"):
        run_extract([str(src)], tmp_path, config=small_blocks, extractor="baseline")
    with pytest.raises(PipelineError, match="output folder"):
        run_extract([str(src)], None, config=small_blocks, extractor="baseline", resume=True)


def test_resume_reuses_finished_documents_and_redoes_changed_ones(
    tmp_path: Path, small_blocks: Config, corpus: Path, reference: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    again = run_extract([str(corpus)], out, config=small_blocks, extractor="baseline", resume=True)
    n = again["counts"]["documents"]
    assert again["run"]["reused"] == n and again["run"]["parts_dropped"] == again["run"]["parts"]
    same_outputs(out, reference)

    # one page changed and one new page: only those two are done again
    changed = tmp_path / "edited" / corpus.name  # the same folder name: the same document ids
    shutil.copytree(corpus, changed)
    page = changed / "copy1" / "scraped" / "nato-riga-summit-air-defence.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("Riga", "Tallinn"), encoding="utf-8")
    (changed / "copy2" / "zz").mkdir()  # read last, so no other page changes block
    (changed / "copy2" / "zz" / "new.txt").write_text(
        "Italy met France in Rome on Monday.\n", encoding="utf-8"
    )
    resumed = run_extract([str(changed)], out, config=small_blocks, extractor="baseline", resume=True)
    fresh = run_extract([str(changed)], tmp_path / "fresh", config=small_blocks, extractor="baseline")
    assert resumed["run"]["reused"] == n - 1 and resumed["counts"] == fresh["counts"]
    same_outputs(out, tmp_path / "fresh")
    text = {d["id"]: d["text"] for d in read_jsonl(out / "documents.jsonl")}
    assert "Tallinn" in text[f"{corpus.name}/copy1/scraped/nato-riga-summit-air-defence.txt"]

    # a different configuration is a different run: nothing is reused
    other_dir = tmp_path / "other-config"
    shutil.copytree(small_blocks.root, other_dir)
    (other_dir / "note.toml").write_text("# changes the config digest\n", encoding="utf-8")
    redo = run_extract([str(changed)], out, config=Config(other_dir), extractor="baseline", resume=True)
    assert redo["run"]["reused"] == 0


def test_unfinished_part_is_ignored(reference: Path) -> None:
    (reference / "parts" / ".part-123.tmp").write_text('{"key": "half', encoding="utf-8")
    store = PartStore(reference, "x")  # a new store clears what a killed run left half written
    assert not list((reference / "parts").glob(".*.tmp"))
    assert store.index() == {}  # another run key: nothing matches


def _extract_cmd(args: list[str]) -> list[str]:
    return [str(Path(sys.executable).parent / "newsgraph"), "extract", *args]


def test_sigkill_then_resume_loses_and_duplicates_nothing(
    tmp_path: Path, small_blocks: Config, corpus: Path, reference: Path
) -> None:
    out = tmp_path / "out"
    args = [str(corpus), "-o", str(out), "-m", "baseline", "--config-dir", str(small_blocks.root), "-q"]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.Popen(_extract_cmd(args), env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list((out / "parts").glob("part-*.jsonl"))) >= 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "documents.jsonl").exists() and not (out / "manifest.json").exists()
    parts = list((out / "parts").glob("part-*.jsonl"))
    finished = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in parts)
    assert len(parts) >= 3

    result = subprocess.run(_extract_cmd([*args, "--resume"]), env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["reused"] == finished  # every document of a whole part, and no other
    assert manifest["run"]["parts_dropped"] == len(parts)
    ids = Counter(d["id"] for d in read_jsonl(out / "documents.jsonl"))
    expected = Counter(d["id"] for d in read_jsonl(reference / "documents.jsonl"))
    assert ids == expected and set(ids.values()) == {1}
    same_outputs(out, reference)


def test_workers_give_byte_identical_outputs(
    tmp_path: Path, small_blocks: Config, corpus: Path, reference: Path
) -> None:
    two = run_extract([str(corpus)], tmp_path / "w2", config=small_blocks, extractor="baseline", workers=2)
    assert two["run"]["workers"] == 2
    same_outputs(tmp_path / "w2", reference)


def test_repeated_runs_are_byte_identical(
    tmp_path: Path, small_blocks: Config, corpus: Path, reference: Path
) -> None:
    run_extract([str(corpus)], tmp_path, config=small_blocks, extractor="baseline")
    same_outputs(tmp_path, reference)
