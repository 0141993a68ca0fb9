"""The report page: reads an extraction output folder, writes one self-contained HTML file.

Reads `documents.jsonl`, `entities.jsonl` and `triples.jsonl` (through `pipeline.kg.inputs`), builds the
aggregated graph (`pipeline.kg.graph`) and the label schema (`configs/labels.toml`), and fills the package files
`template.html`, `report.css` and `report.js`. The data goes into the page as JSON inside a
`<script type="application/json">` element with every `<`, `>` and `&` written as a `\\u` escape, so no string
in the data can end that element or open a comment. The page loads nothing: a Content-Security-Policy allows
only its own inline style and script (by hash) and no network fetch. Same input, same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import re
from importlib import resources
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.kg.graph import Graph, build_graph_from_records
from pipeline.kg.inputs import DocumentRecords, read_output

logger = logging.getLogger(__name__)

REPORT_FORMAT = "newsgraph-report"
REPORT_VERSION = "1.0"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# `<`, `>` and `&` as JSON escapes: the text can then never hold `</script>`, `<!--` or a character reference.
# U+2028 and U+2029 too, for tools that read the JSON as JavaScript source.
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def embed_json(data: Any) -> str:
    """`data` as JSON that is safe as the text of a `<script type="application/json">` element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def _document(view: dict[str, Any], text: str) -> dict[str, Any]:
    """A document of the graph with its cleaned text; mentions whose offsets do not slice to them are dropped."""
    mentions = []
    for mention in view["mentions"]:
        if text[mention["start"] : mention["end"]] == mention["text"]:
            mentions.append(mention)
        else:
            logger.warning(
                "%s: mention %r at [%d, %d) does not match the text; not highlighted",
                view["id"],
                mention["text"],
                mention["start"],
                mention["end"],
            )
    return view | {"text": text, "mentions": mentions}


def report_data(records: list[DocumentRecords], graph: Graph, config: Config, title: str) -> dict[str, Any]:
    """Everything the page shows: the schema, the documents with text, nodes and edges with their evidence."""
    texts = {r.id: r.document.get("text") or "" for r in records}
    graph_dict = graph.to_dict()
    schema = config.schema
    return {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "title": title,
        "stats": graph_dict["stats"],
        "entity_types": list(schema.entity_types),
        "relations": {
            name: {"symmetric": bool(spec["symmetric"]), "description": spec.get("description", "")}
            for name, spec in schema.relations.items()
        },
        "documents": [_document(view, texts.get(view["id"], "")) for view in graph_dict["documents"]],
        "nodes": graph_dict["nodes"],
        "edges": graph_dict["edges"],
    }


def _package_text(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render_report(data: dict[str, Any]) -> str:
    """The HTML page showing `data` (from `report_data`)."""
    css, js = _package_text("report.css"), _package_text("report.js")
    for name, text, end_tag in (("report.css", css, "</style"), ("report.js", js, "</script")):
        if end_tag in text.lower():
            raise PipelineError(f"{name}: contains {end_tag!r}, which would end its element early")
    csp = (
        "default-src 'none'; "
        f"style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    values = {
        "title": html.escape(data.get("title") or "newsgraph report"),
        "csp": html.escape(csp),
        "css": css,
        "js": js,
        "data": embed_json(data),
    }
    # One pass over the template, so no inserted text is ever searched for placeholders.
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _package_text("template.html"))


def build_report(out_dir: Path, config: Config | None = None) -> tuple[str, dict[str, Any]]:
    """The report page of one extraction output folder, and the data it shows."""
    config = config or Config()
    out_dir = Path(out_dir)
    read = read_output(out_dir, config.schema)
    graph = build_graph_from_records(read.documents, config)
    name = out_dir.resolve().name or str(out_dir)
    data = report_data(read.documents, graph, config, f"newsgraph report: {name}")
    return render_report(data), data


def write_report(out_dir: Path, output: Path, config: Config | None = None) -> dict[str, Any]:
    """Write the report of `out_dir` to `output`; returns the graph's counts."""
    page, data = build_report(out_dir, config)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    return data["stats"]
