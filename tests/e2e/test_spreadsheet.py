"""A real spreadsheet (LibreOffice Calc, headless) reads the report CSV as intended."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from compliance_local.client import ApiClient

from tests.conftest import ClientFactory
from tests.e2e.dataset import FORMULA

pytestmark = pytest.mark.spreadsheet

INSTALL = "apt-get update && apt-get install -y libreoffice-calc-nogui"
NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
# CSV import options: comma, double quote, UTF-8, from line 1, English (US), quoted fields are
# not forced to text, special numbers detected, and formulas evaluated as a user's import would.
CSV_FILTER = "CSV:44,34,76,1,,1033,false,true,false,false,false,-1,true"


def _soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.fail(f"LibreOffice is not installed; install it with: {INSTALL}")
    return path


def _cells(csv_path: Path, work: Path) -> list[list[ElementTree.Element]]:
    """Convert the CSV to flat ODS with LibreOffice and return the cells row by row."""
    profile = work / "profile"
    subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--infilter=" + CSV_FILTER,
            "--convert-to",
            "fods",
            "--outdir",
            str(work),
            str(csv_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    tree = ElementTree.parse(work / (csv_path.stem + ".fods"))
    rows = []
    for row in tree.iter(f"{{{NS['table']}}}table-row"):
        rows.append(list(row.iter(f"{{{NS['table']}}}table-cell")))
    return rows


def _text(cell: ElementTree.Element) -> str:
    return "\n".join("".join(paragraph.itertext()) for paragraph in cell.findall("text:p", NS))


def _formula(cell: ElementTree.Element) -> str | None:
    return cell.get(f"{{{NS['table']}}}formula")


def _report_cells(
    admin: ApiClient, report_type: str, event: dict[str, Any], folder: Path
) -> list[list[ElementTree.Element]]:
    """Store one event, generate a report of 1-3 March 2026 and read its CSV back from Calc."""
    admin.post_events([event])
    record = admin.json(
        "POST",
        f"/compliance/reports/{report_type}",
        expected=202,
        json={"dateRange": {"from": "2026-03-01", "to": "2026-03-03"}},
    )
    admin.wait_for(record["reportId"])
    data, _link = admin.download(record["reportId"], "csv")
    report = folder / f"{report_type}.csv"
    report.write_bytes(data)
    return _cells(report, folder)


def test_report_csv_in_calc(org_id: str, client_for: ClientFactory, tmp_path: Path) -> None:
    admin = client_for(org_id)
    event = {
        "eventId": "s1",
        "occurredAt": "2026-03-02T10:00:00.000Z",
        "category": "admin",
        "action": "policy.updated",
        "outcome": "success",
        "actor": {"type": "user", "id": "Zoë Ångström", "email": "zoe@example.com"},
        "target": {"type": "policy", "id": FORMULA},
    }

    rows = _report_cells(admin, "audit", event, tmp_path)

    header, first = rows[0], rows[1]
    assert _text(header[3]) == "actor_id"
    assert _text(first[3]) == "Zoë Ångström"
    assert _formula(first[7]) is None
    assert _text(first[7]) == "'" + FORMULA


def test_unneutralised_formula_runs(tmp_path: Path) -> None:
    """Control for the test above: the same cell without the leading quote is a formula."""
    raw = tmp_path / "raw.csv"
    raw.write_bytes(
        ('\ufeffname,target\r\nZoë Ångström,"' + FORMULA.replace('"', '""') + '"\r\n').encode()
    )

    rows = _cells(raw, tmp_path)

    assert _formula(rows[1][1]) is not None


def test_soc2_values_are_numbers(org_id: str, client_for: ClientFactory, tmp_path: Path) -> None:
    admin = client_for(org_id)
    event = {
        "eventId": "n1",
        "occurredAt": "2026-03-02T10:00:00.000Z",
        "category": "access",
        "action": "auth.login",
        "outcome": "failure",
        "actor": {"type": "user", "id": "u-1"},
    }

    rows = _report_cells(admin, "soc2", event, tmp_path)

    login_failure = next(row for row in rows if len(row) > 2 and _text(row[2]) == "loginFailure")
    assert login_failure[4].get(f"{{{NS['office']}}}value-type") == "float"
    assert login_failure[4].get(f"{{{NS['office']}}}value") == "1"
