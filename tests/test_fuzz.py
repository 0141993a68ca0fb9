"""Fuzzing of the readers and the cleaner: property tests, a small sample of `run_fuzz`, and one regression test
for each crash or hang the fuzzer found. `make fuzz` runs the full 100,000 inputs."""

from __future__ import annotations

import gzip
import io
import json
import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import fuzz
from pipeline.clean import MAX_CUE_CHARS, MAX_FALLBACK_BLOCKS, Cleaner, normalize_line
from pipeline.config import Config
from pipeline.io import decode_bytes, read_documents, read_jsonl_lines
from pipeline.types import RawDocument, Status

SLOW_OK = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner(Config())


def _assert_accounted(docs: list[RawDocument]) -> None:
    assert docs, "an input must leave at least one record"
    for doc in docs:
        assert isinstance(doc.status, Status)
        if doc.status == Status.OK:
            assert doc.content.strip() and "\r" not in doc.content
        else:
            assert doc.reason and doc.reason.strip()
        for value in (doc.id, doc.content, doc.source, doc.url, doc.title, *doc.warnings):
            if value is not None:
                value.encode("utf-8")  # every record can be written out


def _read_bytes(tmp_path: Path, name: str, data: bytes) -> list[RawDocument]:
    path = tmp_path / name
    path.write_bytes(data)
    try:
        return list(read_documents([str(path)]))
    finally:
        path.unlink()


# Property tests ------------------------------------------------------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["id", "text", "html", "url"]), inner)
    ),
    max_leaves=10,
)
_jsonl_line = st.one_of(
    st.text(
        alphabet=st.characters(blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=80
    ),
    _json_values.map(json.dumps),
    st.builds(lambda d: "[" * d + "]" * d, st.integers(900, 1500)),
    st.just('{"text": "a\\ud800b", "id": "\\udc00"}'),
)


@given(st.lists(_jsonl_line, max_size=8))
@settings(max_examples=100, deadline=None)
def test_jsonl_lines_one_record_per_non_blank_line(lines: list[str]) -> None:
    docs = list(read_jsonl_lines(io.StringIO("\n".join(lines)), "feed.jsonl", "feed"))
    assert len(docs) == sum(1 for line in lines if line.strip())
    if docs:
        _assert_accounted(docs)


@given(
    st.binary(min_size=1, max_size=3000), st.floats(0.0, 0.99), st.sampled_from(["a.txt.gz", "f.jsonl.gz"])
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_truncated_gzip_leaves_records_with_reasons(
    tmp_path: Path, data: bytes, cut: float, name: str
) -> None:
    packed = gzip.compress(data)
    docs = _read_bytes(tmp_path, name, packed[: int(len(packed) * cut)])
    _assert_accounted(docs)
    if name.startswith("a."):
        assert len(docs) == 1 and docs[0].status in (Status.ERROR, Status.EMPTY)


@given(st.integers(0, 2**32), st.floats(0.0, 1.0), st.booleans())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_cut_warc_leaves_records_with_reasons(tmp_path: Path, seed: int, cut: float, gzipped: bool) -> None:
    data = fuzz._warc_bytes(random.Random(seed), _SEEDS, gzipped)
    _assert_accounted(
        _read_bytes(tmp_path, "c.warc.gz" if gzipped else "c.warc", data[: int(len(data) * cut)])
    )


@given(st.integers(0, 2**32))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_damaged_warc_leaves_records_with_reasons(tmp_path: Path, seed: int) -> None:
    suffix, data = fuzz.gen_warc(random.Random(seed), _SEEDS)
    _assert_accounted(_read_bytes(tmp_path, "d" + suffix, data))


@given(st.text(max_size=600))
@settings(SLOW_OK, max_examples=150)
def test_clean_text_never_raises_or_invents_text(cleaner: Cleaner, text: str) -> None:
    result = cleaner.clean_text(text.replace("\r", "\n"))
    sources = {normalize_line(line) for line in text.replace("\r", "\n").split("\n")}
    sources |= {line.strip() for line in text.replace("\r", "\n").split("\n")}
    for paragraph in filter(None, result.text.split("\n\n")):
        assert paragraph in sources


_tags = st.sampled_from(
    ["p", "div", "li", "ul", "a", "b", "h1", "article", "nav", "script", "td", "br", "!--"]
)
_html = st.lists(
    st.one_of(_tags.map(lambda t: f"<{t}>"), _tags.map(lambda t: f"</{t}>"), st.text(max_size=40)),
    max_size=40,
).map("".join)


@given(_html)
@settings(SLOW_OK, max_examples=40)
def test_clean_html_never_raises(cleaner: Cleaner, html: str) -> None:
    result = cleaner.clean_html(html)
    assert isinstance(result.text, str)
    result.text.encode("utf-8")


@given(st.integers(0, 2**32))
@settings(SLOW_OK, max_examples=30)
def test_mutated_html_is_read_and_cleaned(cleaner: Cleaner, seed: int) -> None:
    rng = random.Random(seed)
    html = fuzz.mutate(rng.choice(_SEEDS.htmls), rng, _SEEDS.htmls).decode("utf-8", "replace")
    cleaner.clean_html(html)


_SEEDS = fuzz.Seeds.load()


# The runner ----------------------------------------------------------------------------------------------------


def test_run_fuzz_sample_accounts_for_every_input() -> None:
    summary = fuzz.run_fuzz(300, seed=7, time_bound_s=30.0, workers=2)
    assert summary.failures == []
    assert sum(summary.inputs.values()) == 300
    assert summary.records >= 300
    assert set(summary.statuses) <= {"ok", "empty", "skipped", "error"}
    assert {"bytes", "text", "html", "jsonl", "gzip", "warc"} <= set(summary.inputs)
    assert "300 inputs" in summary.format()


def test_inputs_are_reproducible_from_seed_and_index() -> None:
    assert fuzz.generate(3, 41, _SEEDS) == fuzz.generate(3, 41, _SEEDS)
    assert fuzz.generate(3, 41, _SEEDS) != fuzz.generate(3, 42, _SEEDS)


def test_every_kind_generates(tmp_path: Path, cleaner: Cleaner) -> None:
    for name, (_, generator) in fuzz.KINDS.items():
        if name in ("huge", "nested"):
            continue  # megabytes each; the full run covers them
        suffix, data = generator(random.Random(1), _SEEDS)
        path = tmp_path / f"x{suffix}"
        path.write_bytes(data)
        result = fuzz.InputResult(0, name, path.name, len(data))
        fuzz.check_input(path, result, cleaner)
        assert result.problems == [], name


def test_a_hang_is_killed_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def hang_on_one(path: Path, result: fuzz.InputResult, cleaner: Cleaner) -> None:
        while result.index == 1:  # busy: stopped by the CPU limit
            pass
        if result.index == 2:  # blocked: stopped by the wall-clock guard
            time.sleep(60)

    monkeypatch.setattr(fuzz, "check_input", hang_on_one)  # the forked workers inherit the patches
    monkeypatch.setattr(fuzz, "_warm_up", lambda cleaner: None)
    monkeypatch.setattr(fuzz, "WALL_FACTOR", 5)
    started = time.monotonic()
    summary = fuzz.run_fuzz(4, seed=0, time_bound_s=1.0, workers=2)
    assert time.monotonic() - started < 40
    assert sorted(f.index for f in summary.failures) == [1, 2]
    assert all("time bound" in f.problem for f in summary.failures)
    assert sum(summary.inputs.values()) == 4


# Regression tests: one per crash or hang the fuzzer found ------------------------------------------------------


def test_deeply_nested_json_line_is_an_error_record() -> None:
    docs = list(read_jsonl_lines(io.StringIO("[" * 100_000 + "\n"), "f.jsonl", "f"))
    assert docs[0].status == Status.ERROR and "nested too deeply" in docs[0].reason


def test_lone_surrogate_escapes_are_replaced() -> None:
    (doc,) = read_jsonl_lines(io.StringIO('{"text": "a\\ud800b", "title": "\\udc00"}\n'), "f.jsonl", "f")
    assert doc.status == Status.OK and doc.content == "a\ufffdb" and doc.title == "\ufffd"
    assert doc.id.startswith("sha256:") and any("surrogate" in w for w in doc.warnings)


def test_url_with_a_bad_host_falls_back_to_the_default_source() -> None:
    (doc,) = read_jsonl_lines(io.StringIO('{"text": "a", "url": "http://[::1/"}\n'), "f.jsonl", "feed")
    assert doc.status == Status.OK and doc.source == "feed"


@pytest.mark.parametrize(
    ("name", "data"),
    [("e.jsonl", b""), ("b.jsonl", b"\n  \n\r\n"), ("e.jsonl.gz", gzip.compress(b"")), ("e.warc", b"")],
)
def test_container_without_documents_leaves_an_empty_record(tmp_path: Path, name: str, data: bytes) -> None:
    (doc,) = _read_bytes(tmp_path, name, data)
    assert doc.status == Status.EMPTY and doc.reason


def test_warc_without_responses_leaves_an_empty_record(tmp_path: Path) -> None:
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    writer.write_record(writer.create_warcinfo_record("c.warc", {"software": "test"}))
    (doc,) = _read_bytes(tmp_path, "c.warc", out.getvalue())
    assert doc.status == Status.EMPTY and "no response" in doc.reason


def test_page_of_many_blocks_skips_the_quadratic_fallback(
    cleaner: Cleaner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trafilatura

    seen: list[bool] = []
    real = trafilatura.bare_extraction

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(bool(kwargs.get("fast")))
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    cleaner.clean_html("<ul>" + "<li>item " * (MAX_FALLBACK_BLOCKS + 1) + "</ul>")
    cleaner.clean_html("<ul>" + "<li>item " * 10 + "</ul><p>He said the talks would go on next week.</p>")
    assert seen == [True, False]


def test_cues_skip_very_long_lines(cleaner: Cleaner) -> None:
    class Probe:
        def __init__(self) -> None:
            self.lengths: list[int] = []

        def search(self, line: str) -> None:
            self.lengths.append(len(line))

    probe = Probe()
    probed = Cleaner(Config(), line_model=False)
    probed.cues = [("probe", probe)]  # type: ignore[list-item]
    probed.any_length_cues = frozenset()
    probed.clean_text(". " * 20_000 + "\n. . . . . . 12\n")
    assert probe.lengths and max(probe.lengths) <= MAX_CUE_CHARS


def test_control_characters_in_html_do_not_break_the_cleaner(cleaner: Cleaner) -> None:
    # found by `make fuzz` (seed 0, input 2305): lxml keeps them when parsing but refuses them in drop_tree
    html = "<html><body><p>He said \x03 the talks\x1d would go on.</p><script>x\x0b</script>tail\x14 text</body></html>"
    result = cleaner.clean_html(html)
    assert isinstance(result.text, str)


def test_json_integer_too_long_for_python_is_an_error_record() -> None:
    # found by `make fuzz` (seed 0, input 12302): int() refuses more than 4300 digits with a ValueError
    docs = list(read_jsonl_lines(io.StringIO('{"text": "a", "n": ' + "9" * 9001 + "}\n"), "f.jsonl", "f"))
    assert docs[0].status == Status.ERROR and "4300" in docs[0].reason


@pytest.mark.parametrize("charset", ["uu", "base64", "hex", "rot13", "idna", "undefined", "zlib"])
def test_declared_charset_that_cannot_decode_text_falls_back_to_utf8(tmp_path: Path, charset: str) -> None:
    # found by `make fuzz` (seed 0, input 16311): <meta charset=uu> made bytes.decode raise LookupError
    html = f"<html><head><meta charset={charset}></head><body><p>Caf\u00e9 talks.</p></body></html>"
    (doc,) = _read_bytes(tmp_path, "p.html", html.encode())
    assert doc.status == Status.OK and "Café talks." in doc.content
    assert any(charset in w for w in doc.warnings)


def test_codecs_that_decode_to_lone_surrogates_are_made_writable() -> None:
    text, warnings = decode_bytes(b"a +2AA- b", declared="utf-7")
    assert text == "a \ufffd b" and any("surrogate" in w for w in warnings)
