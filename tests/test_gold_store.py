"""The labelled-data store: where data is found, caching, and loading through the `datasets` library."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.errors import DataError
from pipeline.gold import store
from tests.conftest import gold_docs


def test_missing_data_gives_a_reason_not_a_crash(config: Config, tmp_path: Path) -> None:
    reason = store.missing_reason(config, "conll04", tmp_path)
    assert reason is not None and str(tmp_path) in reason
    with pytest.raises(DataError, match="labelled data not found"):
        list(store.convert(config, "conll04", "dev", tmp_path))


def test_unknown_split_is_a_clear_error(config: Config) -> None:
    if reason := store.missing_reason(config, "conll04"):
        pytest.skip(reason)
    with pytest.raises(DataError, match="no split 'nosuch'"):
        list(store.convert(config, "conll04", "nosuch"))


def test_data_dir_setting_and_override(config: Config, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(store.ENV_DATA_DIR, raising=False)
    assert store.data_dir(config).name == "data"  # ../shared/data from pipeline.toml
    monkeypatch.setenv(store.ENV_DATA_DIR, str(tmp_path))
    assert store.data_dir(config) == tmp_path
    assert store.data_dir(config, "/elsewhere") == Path("/elsewhere")


@pytest.mark.data
def test_cache_is_reused_and_loads_as_a_hf_dataset(config: Config) -> None:
    docs = gold_docs(config, "conll04", "dev")
    path = store.cache_path(config, "conll04", "dev")
    mtime = path.stat().st_mtime_ns
    assert store.build(config, "conll04", "dev") == path and path.stat().st_mtime_ns == mtime  # not rebuilt
    ds = store.as_dataset(config, "conll04", "dev")
    assert len(ds) == len(docs)
    first = ds[0]
    assert first["id"] == docs[0].id and first["text"] == docs[0].text
    assert [m["start"] for m in first["mentions"]] == [m.start for m in docs[0].mentions]
