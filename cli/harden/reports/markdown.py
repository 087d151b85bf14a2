"""Markdown: for change tickets."""

from harden.reports.data import ReportData, compliance


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(data: ReportData) -> str:
    run = data.run
    lines = [f"# harden {run.kind} {run.id}", "",
             f"- status: {run.status} (exit code {run.exit_code})",
             f"- environment: {run.environment or '-'}; inventory: `{run.inventory}`",
             f"- profile: {run.profile_name} (`{run.profile_digest[:12]}`); toolkit {run.toolkit_version}",
             f"- change: {run.change_id or '-'}; operator: {run.operator}",
             f"- gated on test run: {run.gate_run_id or '-'}; gate override: {run.override_reason or '-'}", "",
             "## Hosts", "", "| host | compliant | findings | failed | excepted | compliance |",
             "|---|---|---|---|---|---|"]
    for host, c in data.by_host().items():
        if host in data.unreachable:
            lines.append(f"| {host} | - | - | - | - | unreachable: {_cell(data.unreachable[host])} |")
            continue
        share = compliance(c)
        findings = c["would change"] + c["changed"] + c["held back"]
        lines.append(f"| {host} | {c['compliant']} | {findings} | {c['failed']} | {c['excepted']} | "
                     f"{'-' if share is None else f'{share:.0%}'} |")
    findings = [r for r in data.rows if r.status not in ("compliant",)]
    lines += ["", "## Findings", ""]
    if findings:
        lines += ["| host | control | status | HIPAA | NIST 800-53 | detail |", "|---|---|---|---|---|---|"]
        for r in findings:
            detail = "; ".join(r.details[:6]) + (" ..." if len(r.details) > 6 else "")
            lines.append(f"| {r.host} | `{r.control}` | {r.status} | {', '.join(r.hipaa)} | "
                         f"{', '.join(r.meta.nist) if r.meta else ''} | {_cell(detail)} |")
    else:
        lines.append("None: every control is compliant on every host.")
    lines += ["", "## Exceptions in force", ""]
    if data.exceptions():
        lines += ["| control | scope | justification | compensating | owner | approver | ticket | expires |",
                  "|---|---|---|---|---|---|---|---|"]
        for e in data.exceptions():
            lines.append(f"| `{e['control']}` | {', '.join(e['scope'])} | {_cell(e['justification'])} | "
                         f"{_cell('; '.join(e['compensating_controls']))} | {e['owner']} | {e['approver']} | "
                         f"{e['ticket']} | {e['expires']} |")
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"
