"""Reports of a recorded run, in the formats people and tools read. Everything comes from the ledger
and passes through redaction, so no report can carry a secret the ledger did not."""

from __future__ import annotations

import importlib

from harden.reports.data import ReportData, load_report_data

# format -> (module rendering it, file suffix). Modules load on use: OSCAL's models are heavy.
MODULES = {"html": ("html", "html"), "md": ("markdown", "md"), "json": ("jsonfmt", "json"),
           "csv": ("csvfmt", "csv"), "junit": ("junit", "junit.xml"), "oscal": ("oscal", "oscal.json")}
FORMATS = tuple(MODULES)
SUFFIX = {fmt: suffix for fmt, (_, suffix) in MODULES.items()}


def render(data: ReportData, fmt: str) -> str:
    if fmt not in MODULES:
        raise ValueError(f"unknown report format {fmt}")
    return importlib.import_module(f"harden.reports.{MODULES[fmt][0]}").render(data)


__all__ = ["FORMATS", "SUFFIX", "ReportData", "load_report_data", "render"]
