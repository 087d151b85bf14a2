"""JSON: the whole run, for machines."""

import json

from harden.reports.data import ReportData


def render(data: ReportData) -> str:
    run = data.run
    return json.dumps({
        "run": {k: getattr(run, k) for k in ("id", "kind", "status", "started_at", "ended_at", "operator",
                                             "toolkit_version", "profile_name", "profile_digest", "inventory",
                                             "environment", "change_id", "gate_run_id", "override_reason",
                                             "parent_id", "exit_code", "selection", "note")},
        "profile": run.profile,
        "summary": {"totals": dict(data.totals()), "hosts": {h: dict(c) for h, c in data.by_host().items()},
                    "hipaa": {k: dict(c) for k, c in data.by_hipaa().items()}},
        "unreachable": data.unreachable,
        "outcomes": [{"host": r.host, "control": r.control, "status": r.status, "details": r.details,
                      "title": r.meta.title if r.meta else None, "severity": r.meta.severity if r.meta else None,
                      "hipaa": list(r.hipaa), "nist": list(r.meta.nist) if r.meta else [],
                      "cis": r.meta.cis if r.meta else {}, "stig": list(r.meta.stig) if r.meta else []}
                     for r in data.rows],
    }, indent=2, default=str)
