"""Reports of a recorded run, in the formats people and tools read. Everything comes from the ledger
and passes through redaction, so no report can carry a secret the ledger did not."""

from __future__ import annotations

from harden.reports.data import ReportData, load_report_data

FORMATS = ("html", "md", "json", "csv", "junit", "oscal")
SUFFIX = {"html": "html", "md": "md", "json": "json", "csv": "csv", "junit": "junit.xml", "oscal": "oscal.json"}


def render(data: ReportData, fmt: str) -> str:
    if fmt == "html":
        from harden.reports.html import render as html
        return html(data)
    if fmt == "md":
        from harden.reports.markdown import render as md
        return md(data)
    if fmt == "json":
        from harden.reports.jsonfmt import render as js
        return js(data)
    if fmt == "csv":
        from harden.reports.csvfmt import render as csv
        return csv(data)
    if fmt == "junit":
        from harden.reports.junit import render as junit
        return junit(data)
    if fmt == "oscal":
        from harden.reports.oscal import render as oscal
        return oscal(data)
    raise ValueError(f"unknown report format {fmt}")


__all__ = ["FORMATS", "SUFFIX", "ReportData", "load_report_data", "render"]
