"""Report titles: type, period, scope and a short id; never a data subject id."""

from __future__ import annotations

from compliance_reports.domain.ids import short_id
from compliance_reports.models.reports import ReportParameters, ReportType

TYPE_NAMES = {
    ReportType.SOC2: "SOC2 Summary",
    ReportType.GDPR: "GDPR Export",
    ReportType.AUDIT: "Audit Summary",
}


def report_title(
    report_id: str, parameters: ReportParameters, agent_name: str | None = None
) -> str:
    period = f"{parameters.dateFrom.isoformat()} to {parameters.dateTo.isoformat()}"
    if parameters.type is ReportType.GDPR:
        if not parameters.requestedRange:
            period = f"all retained events to {parameters.dateTo.isoformat()}"
        scope = agent_name or parameters.agentId or "agent"
        if parameters.subjectScoped:
            scope += " · one data subject"
    elif parameters.agentIds:
        count = len(parameters.agentIds)
        scope = f"{count} agent" if count == 1 else f"{count} agents"
    else:
        scope = "all agents"
    return f"{TYPE_NAMES[parameters.type]} · {period} · {scope} · {short_id(report_id)}"


def ascii_filename(title: str, extension: str) -> str:
    """Return a filename of safe ASCII characters for the Content-Disposition `filename`."""
    safe = []
    for char in title:
        if char.isascii() and (char.isalnum() or char in "-_."):
            safe.append(char)
        elif char in " ·":
            safe.append("_")
    collapsed = "_".join(part for part in "".join(safe).split("_") if part)
    return f"{collapsed or 'report'}.{extension}"


def utf8_filename(title: str, extension: str) -> str:
    cleaned = "".join(char for char in title if char.isprintable() and char not in '/\\"')
    return f"{cleaned.replace(' · ', ' - ')}.{extension}"
