"""OSCAL assessment results, built with compliance-trestle's models (validated as they are built),
so GRC tools can read a run: one observation per host and control, one finding per control."""

from __future__ import annotations

import datetime as dt
import uuid

from trestle.oscal import OSCAL_VERSION, common
from trestle.oscal import assessment_results as ar

from harden.reports.data import ReportData

NAMESPACE = uuid.UUID("5c0e7a52-1f57-4a3e-9f3e-6b1d6f0b7a11")  # harden's: stable uuids per run and item
SATISFIED = {"compliant", "changed", "excepted"}
NS = "https://harden.invalid/ns/oscal"  # the namespace of harden's own properties


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _time(epoch: float | None) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch or 0, tz=dt.UTC)


def build(data: ReportData) -> ar.AssessmentResults:
    run = data.run
    hosts = data.hosts()
    components = {h: _uuid(run.id, "host", h) for h in hosts}
    local = ar.LocalDefinitions1(inventory_items=[
        common.InventoryItem(uuid=components[h], description=f"host {h}",
                             props=[common.Property(name="fqdn", value=h)]) for h in hosts])
    observations, findings = [], []
    for r in data.rows:
        obs_id = _uuid(run.id, "obs", r.host, r.control)
        observations.append(common.Observation(
            uuid=obs_id, title=f"{r.control} on {r.host}",
            description=f"{r.status}: " + ("; ".join(r.details[:20]) or (r.meta.title if r.meta else r.control)),
            methods=["TEST"], collected=_time(run.ended_at or run.started_at),
            subjects=[common.SubjectReference(subject_uuid=components[r.host], type="inventory-item", title=r.host)],
            props=[common.Property(name="status", ns=NS, value=r.status.replace(" ", "-"))]))
    for control in sorted({r.control for r in data.rows}):
        rows = [r for r in data.rows if r.control == control]
        meta = rows[0].meta
        ok = all(r.status in SATISFIED for r in rows)
        findings.append(common.Finding(
            uuid=_uuid(run.id, "finding", control), title=meta.title if meta else control,
            description=f"{control}: " + ", ".join(f"{r.host} {r.status}" for r in rows),
            target=common.FindingTarget(
                type="objective-id", target_id=control,
                status=common.ObjectiveStatus(state="satisfied" if ok else "not-satisfied")),
            props=[common.Property(name="hipaa", ns=NS, value=c) for c in (meta.hipaa if meta else ())]
            + [common.Property(name="nist-800-53", ns=NS, value=n) for n in (meta.nist if meta else ())],
            related_observations=[common.RelatedObservation(observation_uuid=_uuid(run.id, "obs", r.host, control))
                                  for r in rows]))
    result = ar.Result(
        uuid=_uuid(run.id, "result"), title=f"harden {run.kind} {run.id}",
        description=f"{run.kind} of profile {run.profile_name} ({run.profile_digest}) on {run.inventory} "
                    f"({run.environment or 'environment not set'}), toolkit {run.toolkit_version}",
        start=_time(run.started_at), end=_time(run.ended_at) if run.ended_at else None,
        reviewed_controls=common.ReviewedControls(
            control_selections=[common.ControlSelection(include_all=common.IncludeAll())]),
        local_definitions=local, observations=observations or None, findings=findings or None)
    return ar.AssessmentResults(
        uuid=_uuid(run.id), metadata=common.Metadata(
            title=f"harden assessment results: {run.kind} {run.id}", last_modified=_time(data.generated_at),
            version=run.toolkit_version, oscal_version=OSCAL_VERSION),
        import_ap=ar.ImportAp(href=f"#harden-profile-{run.profile_name}"), results=[result])


def render(data: ReportData) -> str:
    return build(data).oscal_serialize_json(pretty=True) + "\n"
