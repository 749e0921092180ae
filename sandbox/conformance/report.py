"""The tour's result as text (the terminal), JSON (`--json`) and JUnit XML (`--junit`, which CI
systems show as a test suite per tour group, a failed test case per step that differs)."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from sandbox.conformance.runner import AGREE, DIFFER, READ_ONLY_RUN, SKIPPED, Result, Side, route_of
from sandbox.conformance.tour import GROUPS

FORMAT = "payluk-sandbox-conformance/1"
SUITE = "payluk-sandbox conformance"


def describe(side: Side) -> str:
    controls = side.controls
    said = f"sandbox controls, profile {controls.profile}" if controls.present else controls.why_not
    waits = side.host.waits
    if waits:  # a rate limit ([B]'s 10 a minute) answered 429 and was waited out
        said += f"; {plural(waits, 'request')} sent again after a 429"
    return f"{side.host.label}: {said}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def text(result: Result) -> str:
    steps = len(result.steps)
    compared = steps - result.count(SKIPPED)
    mode = ", read-only" if result.read_only else ""
    if result.agree:
        head = (f"payluk-sandbox conformance: the target agrees with the reference ({compared} of {steps} steps "
                f"compared{mode})")
    else:
        head = (f"payluk-sandbox conformance: the target differs from the reference "
                f"({plural(len(result.findings), 'difference')} in {result.count(DIFFER)} of {steps} steps{mode})")
    lines = [head, f"  target     {describe(result.target)}", f"  reference  {describe(result.reference)}",
             f"  steps      {result.count(AGREE)} agree, {result.count(DIFFER)} differ, "
             f"{result.count(SKIPPED)} skipped ({result.seconds:.1f} s)"]
    findings = result.findings
    if findings:
        lines += ["", "Differences (each once per route, with the steps it was seen in):"]
        for route in dict.fromkeys(f.route for f in findings):
            lines.append(f"  {route}")
            for finding in (f for f in findings if f.route == route):
                where = f" {finding.where}" if finding.where else ""
                lines.append(f"    {finding.aspect}{where}: target {finding.target}, reference {finding.reference}"
                             f"  [{_steps(finding.steps)}]")
    skipped = [r for r in result.steps if r.outcome == SKIPPED]
    not_run = [r for r in skipped if r.reason.endswith(READ_ONLY_RUN)]
    if skipped:
        lines += ["", "Skipped:"]
        lines += [f"  {r.step.id}: {r.reason}" for r in skipped if r not in not_run]
    if not_run:
        lines.append(f"  {len(not_run)} steps moving money, or following ones that do: {READ_ONLY_RUN}")
    return "\n".join(lines) + "\n"


def _steps(steps: tuple, shown: int = 2) -> str:
    more = len(steps) - shown
    return ", ".join(steps[:shown]) + (f" and {more} more" if more > 0 else "")


def _answer(answer) -> dict | None:
    if answer is None:
        return None
    return {"status": answer.status, "message": answer.message, **({"error": answer.error} if answer.error else {})}


def _side(side: Side) -> dict:
    return {"host": side.host.label, "controls": side.controls.present, "whyNot": side.controls.why_not or None,
            "profile": side.controls.profile, "seller": side.seller, "buyer": side.buyer}


def as_json(result: Result) -> dict:
    return {
        "format": FORMAT,
        "agree": result.agree,
        "readOnly": result.read_only,
        "seconds": round(result.seconds, 3),
        "target": _side(result.target),
        "reference": _side(result.reference),
        "summary": {"steps": len(result.steps), "agree": result.count(AGREE), "differ": result.count(DIFFER),
                    "skipped": result.count(SKIPPED), "differences": len(result.findings)},
        "differences": [finding.as_dict() for finding in result.findings],
        "steps": [{"id": r.step.id, "group": r.step.group, "title": r.step.title, "kind": r.step.kind,
                   "route": route_of(r.step), "controls": r.step.controls, "outcome": r.outcome,
                   "reason": r.reason or None, "target": _answer(r.target), "reference": _answer(r.reference),
                   "differences": [d.as_dict() for d in r.differences]} for r in result.steps],
    }


def junit(result: Result) -> ET.ElementTree:
    root = ET.Element("testsuites", name=SUITE, tests=str(len(result.steps)), failures=str(result.count(DIFFER)),
                      skipped=str(result.count(SKIPPED)), errors="0", time=f"{result.seconds:.3f}")
    for group in GROUPS:
        results = [r for r in result.steps if r.step.group == group]
        if not results:
            continue
        suite = ET.SubElement(root, "testsuite", name=f"conformance.{group}", tests=str(len(results)),
                              failures=str(sum(r.outcome == DIFFER for r in results)),
                              skipped=str(sum(r.outcome == SKIPPED for r in results)), errors="0",
                              time=f"{sum(r.seconds for r in results):.3f}")
        properties = ET.SubElement(suite, "properties")
        for name, side in (("target", result.target), ("reference", result.reference)):
            ET.SubElement(properties, "property", name=name, value=describe(side))
        for r in results:
            case = ET.SubElement(suite, "testcase", classname=f"conformance.{group}",
                                 name=f"{r.step.id}: {r.step.title} ({route_of(r.step)}, {r.step.kind})",
                                 time=f"{r.seconds:.3f}")
            if r.outcome == DIFFER:
                failure = ET.SubElement(case, "failure", type="drift",
                                        message=f"{len(r.differences)} difference(s) between target and reference")
                failure.text = "\n".join(str(d) for d in r.differences)
            elif r.outcome == SKIPPED:
                ET.SubElement(case, "skipped", message=r.reason)
    ET.indent(root)
    return ET.ElementTree(root)


def write_json(result: Result, path: str) -> None:
    Path(path).write_text(json.dumps(as_json(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_junit(result: Result, path: str) -> None:
    junit(result).write(path, encoding="utf-8", xml_declaration=True)
