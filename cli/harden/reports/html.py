"""HTML: one self-contained file (no network needed to open it), with bars per host and per HIPAA
citation, every control with its outcome, diff and mappings, and the exceptions register."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from harden.reports.data import ORDER, ReportData

STATUSES = ["compliant", "changed", "would change", "held back", "excepted", "failed"]


def bar(counts: Counter) -> Markup:
    total = sum(counts.values()) or 1
    parts = "".join(
        f'<span class="s-{s.replace(" ", "-")}" style="width:{100 * counts[s] / total:.2f}%" '
        f'title="{s}: {counts[s]}"></span>' for s in ORDER if counts[s])
    return Markup(f'<div class="bar" role="img" aria-label="{dict(counts)}">{parts}</div>')


def render(data: ReportData) -> str:
    env = Environment(loader=PackageLoader("harden", "templates"), autoescape=select_autoescape(["html", "j2"]))
    fmt = "%Y-%m-%d %H:%M:%S"
    return env.get_template("report.html.j2").render(
        run=data.run, rows=data.rows, hosts=data.hosts(), totals=data.totals(), statuses=STATUSES,
        by_host=data.by_host(), by_hipaa=data.by_hipaa(), unreachable=data.unreachable,
        exceptions=data.exceptions(), bar=bar, toolkit=data.toolkit,
        started=dt.datetime.fromtimestamp(data.run.started_at).strftime(fmt),
        generated=dt.datetime.fromtimestamp(data.generated_at).strftime(fmt))
