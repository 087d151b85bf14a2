"""JUnit XML: each host a test suite, each control a test case, so CI systems show them."""

import xml.etree.ElementTree as ET

from harden.reports.data import ReportData

# What a test case asserts: the control is compliant at the end of the run.
FAILURE = {"would change", "held back"}  # not compliant
ERROR = {"failed"}
SKIPPED = {"excepted"}


def render(data: ReportData) -> str:
    suites = ET.Element("testsuites", name=f"harden {data.run.kind} {data.run.id}")
    for host in data.hosts():
        rows = [r for r in data.rows if r.host == host]
        suite = ET.SubElement(suites, "testsuite", name=host)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if host in data.unreachable:
            case = ET.SubElement(suite, "testcase", classname=host, name="reachable")
            ET.SubElement(case, "error", type="unreachable", message=data.unreachable[host])
            counts["tests"] += 1
            counts["errors"] += 1
        for r in rows:
            case = ET.SubElement(suite, "testcase", classname=host, name=r.control)
            counts["tests"] += 1
            text = "\n".join(r.details)
            if r.status in FAILURE:
                ET.SubElement(case, "failure", type=r.status, message=r.meta.title if r.meta else r.status).text = text
                counts["failures"] += 1
            elif r.status in ERROR:
                ET.SubElement(case, "error", type="failed", message=(r.details or ["failed"])[0][:300]).text = text
                counts["errors"] += 1
            elif r.status in SKIPPED:
                ET.SubElement(case, "skipped", message=(r.details or ["excepted"])[0][:300])
                counts["skipped"] += 1
            elif text:
                ET.SubElement(case, "system-out").text = f"{r.status}\n{text}"
        for key, value in counts.items():
            suite.set(key, str(value))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
