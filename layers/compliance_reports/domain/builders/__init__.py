"""Report builders: accumulators that read events in time order and merge across day shards."""

from __future__ import annotations

from compliance_reports.domain.builders.audit import AuditBuilder
from compliance_reports.domain.builders.base import ReportBuilder, ReportContext
from compliance_reports.domain.builders.gdpr import GdprBuilder
from compliance_reports.domain.builders.soc2 import Soc2Builder
from compliance_reports.domain.tally import DEFAULT_MEMORY_KEYS
from compliance_reports.models.reports import ReportType

BUILDERS: dict[ReportType, type[ReportBuilder]] = {
    ReportType.AUDIT: AuditBuilder,
    ReportType.GDPR: GdprBuilder,
    ReportType.SOC2: Soc2Builder,
}


def new_builder(context: ReportContext, memory_keys: int = DEFAULT_MEMORY_KEYS) -> ReportBuilder:
    """Return the builder of the context's report type; `memory_keys` bounds each tally's dict."""
    return BUILDERS[context.report_type](context, memory_keys)


__all__ = [
    "BUILDERS",
    "AuditBuilder",
    "GdprBuilder",
    "ReportBuilder",
    "ReportContext",
    "Soc2Builder",
    "new_builder",
]
