"""Auditor links: an admin shares one file of a completed report for a limited time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from compliance_reports.adapters.share_store import ShareStore
from compliance_reports.domain.errors import ConflictError, NotFoundError
from compliance_reports.domain.ids import new_report_id
from compliance_reports.models.events import Actor
from compliance_reports.models.reports import ReportStatus
from compliance_reports.models.shares import CreatedShare, Share, ShareRequest
from compliance_reports.services.reports import Caller, Download, GoneError, ReportService
from compliance_reports.services.trail import AuditTrail, user_actor

SHARED_ROUTE = "/compliance/shared/"


class ShareService:
    def __init__(
        self,
        store: ShareStore,
        reports: ReportService,
        trail: AuditTrail,
        signing_key: bytes,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._reports = reports
        self._trail = trail
        self._key = signing_key
        self._clock = clock

    def _hash(self, token: str) -> str:
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()

    def create(
        self, caller: Caller, report_id: str, request: ShareRequest, base_url: str
    ) -> CreatedShare:
        """Create a link for a completed report and return its URL; the token is not stored."""
        record = self._reports.get(caller, report_id)
        if record.status is not ReportStatus.COMPLETED:
            raise ConflictError(
                f"report '{report_id}' is {record.status.value}; share it once it is completed",
                field="id",
            )
        now = self._clock()
        token = secrets.token_urlsafe(32)
        share = Share(
            shareId=new_report_id(now),
            orgId=caller.org_id,
            reportId=report_id,
            format=request.format,
            note=request.note,
            createdAt=now,
            createdBy=caller.display,
            expiresAt=now + timedelta(days=request.expiresInDays),
        )
        self._store.create(share, self._hash(token))
        self._trail.record(
            caller.org_id,
            "report.share_created",
            user_actor(caller),
            report_id,
            {"shareId": share.shareId, "format": share.format.value},
        )
        return CreatedShare(
            share=share, url=base_url.rstrip("/") + SHARED_ROUTE + token, token=token
        )

    def list(self, caller: Caller, report_id: str) -> list[Share]:
        self._reports.get(caller, report_id)
        return self._store.list(caller.org_id, report_id)

    def revoke(self, caller: Caller, report_id: str, share_id: str) -> Share:
        found = self._store.get(caller.org_id, report_id, share_id)
        if found is None:
            raise NotFoundError(
                f"share '{share_id}' of report '{report_id}' was not found", field="shareId"
            )
        share, token_hash = found
        if share.revokedAt is not None:
            return share
        revoked = share.model_copy(update={"revokedAt": self._clock(), "revokedBy": caller.display})
        self._store.revoke(revoked, token_hash)
        self._trail.record(
            caller.org_id,
            "report.share_revoked",
            user_actor(caller),
            report_id,
            {"shareId": share_id},
        )
        return revoked

    def open(self, token: str) -> Download:
        """Mint a fresh presigned URL for the link's file and record the download.

        An unknown token is 404. An expired or revoked link is 410 with the date and asks the
        recipient to request a new link from the sender.
        """
        computed = self._hash(token)
        found = self._store.find_by_token_hash(computed)
        if found is None or not hmac.compare_digest(found[1], computed):
            raise NotFoundError("this link does not exist; check that it was copied completely")
        share = found[0]
        if share.revokedAt is not None:
            raise GoneError(
                f"this link was revoked on {share.revokedAt:%Y-%m-%d}; ask the sender for a new link"
            )
        if share.expiresAt <= self._clock():
            raise GoneError(
                f"this link expired on {share.expiresAt:%Y-%m-%d %H:%M} UTC; ask the sender for a new link"
            )
        owner = Caller(org_id=share.orgId, subject=f"share-link:{share.shareId}", role="auditor")
        download = self._reports.download(owner, share.reportId, share.format)
        self._trail.record(
            share.orgId,
            "report.downloaded",
            Actor(type="share_link", id=share.shareId),
            share.reportId,
            {"format": share.format.value},
        )
        return download
