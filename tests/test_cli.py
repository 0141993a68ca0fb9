"""The command line: exit codes, stdout carries only JSONL, --force, --strict, --version, help."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from pipeline import __version__
from pipeline.cli import app

from .conftest import SAMPLE

runner = CliRunner()


def test_version_and_help() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.stdout
    result = runner.invoke(app, ["extract", "--help"])
    assert result.exit_code == 0 and "--force" in result.stdout and "--strict" in result.stdout


def test_stdout_mode_writes_only_triples_jsonl() -> None:
    feed = (SAMPLE / "feed.jsonl").read_text(encoding="utf-8")
    result = runner.invoke(app, ["extract", "-", "-o", "-", "-q"], input=feed)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line]
    assert lines and all(json.loads(line)["relation"] for line in lines)


def test_extract_to_folder_then_force(tmp_path: Path) -> None:
    args = ["extract", str(SAMPLE / "feed.jsonl"), "-o", str(tmp_path), "-q"]
    assert runner.invoke(app, args).exit_code == 0
    assert {p.name for p in tmp_path.iterdir()} == {
        "documents.jsonl",
        "entities.jsonl",
        "triples.jsonl",
        "manifest.json",
        "parts",
    }
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_strict_fails_on_errors(tmp_path: Path) -> None:
    feed = tmp_path / "bad.jsonl"
    feed.write_text('{"id": "ok", "text": "Italy met France in Rome."}\n{broken\n', encoding="utf-8")
    relaxed = runner.invoke(app, ["extract", str(feed), "-o", str(tmp_path / "a"), "-q"])
    assert relaxed.exit_code == 0
    strict = runner.invoke(app, ["extract", str(feed), "-o", str(tmp_path / "b"), "-q", "--strict"])
    assert strict.exit_code == 1
