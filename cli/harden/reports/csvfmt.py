"""CSV: one row per host and control, for spreadsheets."""

import csv
import io

from harden.reports.data import ReportData

COLUMNS = ["run_id", "host", "control", "status", "severity", "title", "hipaa", "nist", "cis", "stig", "details"]


def render(data: ReportData) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in data.rows:
        m = r.meta
        writer.writerow([data.run.id, r.host, r.control, r.status, m.severity if m else "", m.title if m else "",
                         "; ".join(r.hipaa), "; ".join(m.nist) if m else "",
                         "; ".join(f"{k} {' '.join(v)}" for k, v in m.cis.items()) if m else "",
                         "; ".join(m.stig) if m else "", " | ".join(r.details)])
    for host, reason in sorted(data.unreachable.items()):
        writer.writerow([data.run.id, host, "", "unreachable", "", "", "", "", "", "", reason])
    return out.getvalue()
