"""`extract --engine ray`: work units follow the cleaning blocks, and a run on a two-node local Ray cluster
writes the same documents, entities and triples as a single-process run."""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Config
from pipeline.distributed import cross_unit_seen, plan_units, process_unit, read_unit
from pipeline.io import read_documents
from pipeline.records import validate
from pipeline.run import iter_blocks, run_extract

from .conftest import SAMPLE, config_with_blocks

BLOCK_DOCS = 4  # small, so the sample's one-document files fill several units


@pytest.fixture(scope="module")
def small_blocks(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return config_with_blocks(tmp_path_factory.mktemp("config"), BLOCK_DOCS)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The sample corpus, a folder of JSONL shards (one gzipped, a malformed line, ids repeated within and
    across shards) and a missing file."""
    shards = tmp_path_factory.mktemp("inputs") / "shards"
    shards.mkdir()
    first = [
        {
            "id": "kenya",
            "text": "The European Union signed a port agreement with Kenya in Mombasa on Monday.",
        },
        {"id": "finland", "text": "Finland accused Russia's GRU of hacking a water utility, Helsinki said."},
    ]
    lines = [json.dumps(r) for r in first] + ['{"id": "broken", "text": ', json.dumps(first[0])]
    (shards / "part-0.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    second = [
        {"id": "kenya", "text": "NATO leaders met in Riga, where Latvia hosted the summit."},
        {"id": "sanctions", "text": "The United States Treasury sanctioned Russian drone suppliers."},
    ]
    with gzip.open(shards / "part-1.jsonl.gz", "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in second)
    return [str(SAMPLE), str(shards), str(shards.parent / "missing.txt")]


def test_units_hold_whole_cleaning_blocks(inputs: list[str]) -> None:
    units = plan_units(inputs, BLOCK_DOCS)
    whole_run = [[raw.id for raw in block] for block in iter_blocks(read_documents(inputs), BLOCK_DOCS)]
    by_unit = [
        [raw.id for raw in block] for unit in units for block in iter_blocks(read_unit(unit), BLOCK_DOCS)
    ]
    assert by_unit == whole_run
    assert len(units) == 8  # README | feed.jsonl | 4 html | 4 + 1 scraped | 2 shards | missing file


def test_cross_unit_seen_counts_earlier_units_only() -> None:
    counts = [{"a": 2, "b": 1}, {"c": 1}, {"a": 1, "c": 3}, {"a": 1}]
    assert cross_unit_seen(counts) == {2: {"a": 2, "c": 1}, 3: {"a": 3}}
    assert cross_unit_seen([{"a": 2}, {"b": 1}]) == {}


def test_ray_engine_refuses_stdout(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["extract", str(SAMPLE), "-o", "-", "--engine", "ray", "-m", "baseline"])
    assert result.exit_code == 2 and "sharded files" in result.output


def test_unit_renames_ids_of_earlier_units_and_keeps_failed_blocks(config: Config, tmp_path: Path) -> None:
    from pipeline.run import Pipeline

    folder = tmp_path / "pages"
    folder.mkdir()
    texts = {"a.txt": "Finland accused Russia of a cyber attack.", "b.txt": "BOOM. Kenya signed a deal."}
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    pipeline = Pipeline(config, "baseline")
    process = pipeline.process

    def fail_on_boom(raws, stats, seen=None):
        raws = list(raws)
        if any("BOOM" in raw.content for raw in raws):
            raise RuntimeError("boom")
        return process(raws, stats, seen=seen)

    pipeline.process = fail_on_boom
    out = tmp_path / "out"
    for index, name in enumerate(texts):
        summary = process_unit(pipeline, index, [(str(folder / name), name)], {"a.txt": 2}, out)
        assert summary["ids"] == {name: 1}
    docs = [json.loads(line) for p in sorted((out / "documents").iterdir()) for line in p.open()]
    assert [(d["id"], d["status"]) for d in docs] == [("a.txt#dup3", "ok"), ("b.txt", "error")]
    assert docs[0]["warnings"] == ["duplicate id 'a.txt'; renamed"]
    assert docs[1]["reason"] == "block failed: RuntimeError: boom"
    assert summary["errors"] == ["b.txt: block failed: RuntimeError: boom"]
    assert summary["manifest"]["counts"]["documents"] == 1


@pytest.fixture(scope="module")
def no_ray_usage_stats():
    """No usage reporting from the test (no network), and no Ray Data poller thread left behind: it keeps
    logging failed metric queries with tracebacks, whose formatting races other `ast.parse` calls in this
    process on Python 3.11 ("AST constructor recursion depth mismatch")."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
        patch.setenv("RAY_DATA_USAGE_DISABLED", "1")
        yield


@pytest.fixture(scope="module")
def ray_cluster(no_ray_usage_stats: None):
    """A head and one worker node on this machine, one CPU each, with this process connected as the driver.

    The nodes take Ray's own choice of this machine's address: Ray maps a loopback address given to `ray.init`
    to that address anyway, so pinning the nodes to 127.0.0.1 would leave the driver unable to join."""
    ray = pytest.importorskip("ray", reason="Ray is in the dev extra: pip install -e '.[dev]'")
    from ray.cluster_utils import Cluster

    temp_dir = tempfile.mkdtemp(prefix="ngray", dir="/tmp")  # short: Ray's socket paths have a length limit
    # the cluster helper writes the head's address under Ray's default temp folder whatever `temp_dir` says, and
    # does not create that folder: on a machine where Ray has never run, it is missing
    from ray._private.utils import get_ray_address_file

    Path(get_ray_address_file(None)).parent.mkdir(parents=True, exist_ok=True)
    node = {"num_cpus": 1, "object_store_memory": 80 * 1024**2}
    cluster = Cluster(
        initialize_head=True, head_node_args={**node, "include_dashboard": False, "temp_dir": temp_dir}
    )
    try:
        cluster.add_node(**node)
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, log_to_driver=False)
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()
        shutil.rmtree(temp_dir, ignore_errors=True)


def read_lines(paths: list[Path]) -> list[str]:
    return sorted(line for path in paths for line in path.read_text(encoding="utf-8").splitlines())


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Ray Data's own, on its deprecated settings
def test_ray_run_equals_single_process_run(
    ray_cluster, small_blocks: Config, inputs: list[str], tmp_path: Path
) -> None:
    from pipeline.distributed import run_ray

    local = run_extract(inputs, tmp_path / "local", config=small_blocks, extractor="baseline")
    result = run_ray(
        inputs,
        tmp_path / "ray",
        config=small_blocks,
        extractor="baseline",
        address=ray_cluster.address,
        actors=2,
        cpus_per_actor=1,
        progress=False,
    )
    for kind in ("documents", "entities", "triples"):
        shards = sorted((tmp_path / "ray" / kind).glob("part-*.jsonl"))
        assert len(shards) == 8
        single = (tmp_path / "local" / f"{kind}.jsonl").read_text(encoding="utf-8")
        assert read_lines(shards) == sorted(single.splitlines()), kind  # equal as sets, and as many lines
        # units are numbered in input order, so the shards in name order are even the same file
        assert "".join(p.read_text(encoding="utf-8") for p in shards) == single, kind
    ids = {json.loads(line)["id"] for line in read_lines(sorted((tmp_path / "ray" / "documents").iterdir()))}
    assert {"kenya", "kenya#dup2", "kenya#dup3", "shards/part-0.jsonl:3"} <= ids
    written = json.loads((tmp_path / "ray" / "manifest.json").read_text(encoding="utf-8"))
    assert written == result and result["counts"] == local["counts"]
    validate("manifest", written)
    assert result["engine"] | {"address": None} == {
        "name": "ray",
        "address": None,
        "actors": 2,
        "cpus": 1,
        "gpus": 0.0,
        "units": 8,
        "units_redone": 1,
        "shards": {kind: f"{kind}/part-*.jsonl" for kind in ("documents", "entities", "triples")},
    }
    assert len([n for n in ray_cluster.list_all_nodes() if n]) == 2
