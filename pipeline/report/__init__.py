"""The visual report: one self-contained, offline HTML file over an extraction output folder.

Modules: `render` (the report's data and the HTML page built from the package files `template.html`,
`report.css` and `report.js`), `cli` (the `newsgraph report` command). Never imports spaCy or torch.
"""

from pipeline.report.render import build_report, embed_json, render_report, report_data, write_report

__all__ = ["build_report", "embed_json", "render_report", "report_data", "write_report"]
