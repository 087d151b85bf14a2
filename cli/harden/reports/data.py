"""One run, as every report format sees it: outcomes joined with the catalog, redacted, with counts."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field

from harden import __version__
from harden.catalog import Control, load_catalog
from harden.ledger import Ledger, RunRecord
from harden.redact import redact_text

ORDER = ("failed", "held back", "would change", "changed", "excepted", "compliant")


@dataclass
class Row:
    host: str
    control: str
    status: str
    details: list[str]
    meta: Control | None

    @property
    def hipaa(self) -> tuple[str, ...]:
        return self.meta.hipaa if self.meta else ()


@dataclass
class ReportData:
    run: RunRecord
    rows: list[Row]
    unreachable: dict[str, str]
    generated_at: float = field(default_factory=time.time)
    toolkit: str = __version__

    def hosts(self) -> list[str]:
        return sorted({r.host for r in self.rows} | set(self.unreachable) | set(self.run.hosts))

    def by_host(self) -> dict[str, Counter]:
        counts = {h: Counter() for h in self.hosts()}
        for r in self.rows:
            counts[r.host][r.status] += 1
        return counts

    def by_hipaa(self) -> dict[str, Counter]:
        counts: dict[str, Counter] = {}
        for r in self.rows:
            for citation in r.hipaa:
                counts.setdefault(citation, Counter())[r.status] += 1
        return dict(sorted(counts.items()))

    def totals(self) -> Counter:
        return Counter(r.status for r in self.rows)

    def exceptions(self) -> list[dict]:
        return self.run.profile.get("exceptions", [])


def load_report_data(ledger: Ledger, run_id: str) -> ReportData:
    run = ledger.run(run_id)
    catalog = load_catalog()
    rows = [Row(host=r["host"], control=r["control"], status=r["status"],
                details=[redact_text(d) for d in json.loads(r["details"])], meta=catalog.get(r["control"]))
            for r in ledger.outcomes(run.id)]
    rows.sort(key=lambda r: (r.host, ORDER.index(r.status) if r.status in ORDER else 99, r.control))
    unreachable = {h: redact_text(m) for h, m in ledger.unreachable(run.id).items()}
    return ReportData(run=run, rows=rows, unreachable=unreachable)


def compliance(counts: Counter) -> float | None:
    """Share of evaluated controls that are compliant (changed counts as fixed, excepted as tailored)."""
    ok = counts["compliant"] + counts["changed"] + counts["excepted"]
    total = sum(counts.values())
    return ok / total if total else None
