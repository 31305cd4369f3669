"""Audit the installed packages with pip-audit against PyPI's vulnerability data (``make security``).

Fails when an installed package has a known vulnerability that ``.pip-audit-ignore`` does not
acknowledge. When the data cannot be had (no network, or a package-index mirror that has no
vulnerability data for the installed versions), it says loudly that nothing was audited and goes
on, so the suite still runs on such machines; ``--required`` (``PIP_AUDIT_REQUIRED=1`` for make,
meant for a CI that reaches pypi.org) makes that case fail too.

``.pip-audit-ignore`` holds one acknowledged vulnerability a line, ``ID  # reason, YYYY-MM-DD``
(the day it was acknowledged); blank lines and lines starting with ``#`` are comments.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".pip-audit-ignore"
ENTRY = re.compile(
    r"(?P<id>[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9])\s+#\s*(?P<reason>\S.*?),\s*(?P<date>\d{4}-\d{2}-\d{2})"
)


class IgnoreFileError(ValueError):
    """A line of .pip-audit-ignore is not ``ID  # reason, YYYY-MM-DD``."""


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def read_ignored(path: Path) -> list[str]:
    """The acknowledged vulnerability ids; every entry must give its reason and date."""
    if not path.is_file():
        return []
    ids = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = ENTRY.fullmatch(line)
        if match is None or not _is_date(match["date"]):
            raise IgnoreFileError(
                f"{path.name}, line {number}: {line!r} is not 'ID  # reason, YYYY-MM-DD' "
                "(an acknowledgement needs its reason and the day it was made)."
            )
        ids.append(match["id"])
    return ids


def run_pip_audit(ignored: list[str], report: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "pip_audit",
        "--skip-editable",  # the project itself is not on PyPI
        "--progress-spinner", "off", "--desc", "on", "--aliases", "on",
        "--format", "json", "--output", str(report),
    ]
    for vuln_id in ignored:
        command += ["--ignore-vuln", vuln_id]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def print_vulnerabilities(found: list[tuple[str, str, dict[str, Any]]]) -> None:
    print(f"pip-audit: {len(found)} known vulnerabilit{'y' if len(found) == 1 else 'ies'} "
          "in the installed packages:")
    for name, version, vuln in found:
        aliases = ", ".join(vuln.get("aliases") or [])
        fixes = ", ".join(vuln.get("fix_versions") or [])
        description = str(vuln.get("description") or "")
        if len(description) > 160:
            description = description[:157] + "..."
        print(f"  {name} {version}: {vuln['id']}" + (f" ({aliases})" if aliases else ""))
        print(f"      fixed in: {fixes or 'no fixed release yet'}")
        if description:
            print(f"      {description}")
    print(
        "What to do:\n"
        "  - a fixed release exists: raise the package's minimum in setup.cfg (install_requires, or\n"
        "    the test extras for a test tool) to it; for a package another one brings in, upgrade it\n"
        "    (.venv/bin/python -m pip install -U NAME) and raise the minimum of the one that needs it;\n"
        "    then run `make install-test` and `make security` again;\n"
        "  - no fix yet, or the vulnerable part is not used here: acknowledge it with one line in\n"
        "    .pip-audit-ignore, `ID  # reason, YYYY-MM-DD`, and review it when a fix is released."
    )


def print_unaudited(heading: str, reasons: list[str], required: bool) -> None:
    offline_ok = not required
    print(f"{'WARNING: ' if offline_ok else ''}{heading}")
    for reason in reasons[:5]:
        print(f"  {reason}")
    if len(reasons) > 5:
        print(f"  ... and {len(reasons) - 5} more")
    if offline_ok:
        print("Going on WITHOUT the dependency audit: what was not audited is not known to be safe.\n"
              "pip-audit reads https://pypi.org/pypi/NAME/VERSION/json for each installed package; let\n"
              "this machine reach pypi.org itself, and set PIP_AUDIT_REQUIRED=1 to make this a failure.")
    else:
        print(
            "The dependencies were NOT audited, so this check fails. pip-audit reads\n"
            "https://pypi.org/pypi/NAME/VERSION/json for each installed package; here that address\n"
            "did not answer, or answered that it knows no such release (as a mirror that serves only\n"
            "the package index does, or for a package not published on PyPI). Let this machine reach\n"
            "pypi.org itself and run `make security` again, or leave PIP_AUDIT_REQUIRED unset to go on\n"
            "with a warning."
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--required", action="store_true",
                        help="fail, instead of warning, when the vulnerability data cannot be had")
    args = parser.parse_args(argv)
    try:
        ignored = read_ignored(IGNORE_FILE)
    except IgnoreFileError as error:
        print(f"pip-audit: {error}")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        report_path = Path(folder) / "pip-audit.json"
        result = run_pip_audit(ignored, report_path)
        report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else None
    if report is None:
        # pip-audit stopped before its report: most often the network (its last line says why).
        last = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        print_unaudited("pip-audit could not read PyPI's vulnerability data:",
                        [f"it stopped (exit {result.returncode}) with {last}"], args.required)
        return 1 if args.required else 0
    found = [(dep["name"], dep["version"], vuln)
             for dep in report["dependencies"] for vuln in dep.get("vulns", [])]
    unaudited = [dep["skip_reason"] for dep in report["dependencies"] if dep.get("skip_reason")]
    audited = len(report["dependencies"]) - len(unaudited)
    if result.returncode != 0 and not found:
        print(f"pip-audit failed (exit {result.returncode}):\n{result.stderr.strip()}")
        return 1
    if found:
        print_vulnerabilities(found)
    if unaudited:
        print_unaudited(f"pip-audit could not check {len(unaudited)} installed package(s) against PyPI's "
                        "vulnerability data:", unaudited, args.required)
    acknowledged = f", {len(ignored)} acknowledged in .pip-audit-ignore" if ignored else ""
    print(f"pip-audit: {audited} package(s) audited, {len(unaudited)} not audited, "
          f"{len(found)} known vulnerabilit{'y' if len(found) == 1 else 'ies'}{acknowledged}.")
    return 1 if found or (unaudited and args.required) else 0


if __name__ == "__main__":
    sys.exit(main())
