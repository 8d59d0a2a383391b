"""Org-level routes: ingestion, the agent directory and settings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from compliance_reports import runtime
from compliance_reports.auth import require_own_org, require_role
from compliance_reports.domain.payloads import MAX_EVENTS_PER_REQUEST
from compliance_reports.models.settings import OrgSettings
from pydantic import BaseModel, ConfigDict, Field

from api_routes.common import current_caller, json_response, logger

router = APIGatewayHttpRouter()


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: Annotated[list[Any], Field(min_length=1, max_length=MAX_EVENTS_PER_REQUEST)]


class Agent(BaseModel):
    agentId: str
    name: str | None = None
    firstSeen: str | None = None
    lastSeen: str | None = None


class AgentList(BaseModel):
    items: list[Agent]


@router.post("/compliance/events", summary="Store audit events (native JSON or OCSF 1.x)")
def post_events(
    batch: Annotated[EventBatch, Body(embed=False)],
    format: Annotated[Literal["auto", "native", "ocsf"], Query()] = "auto",
) -> Response[Any]:
    caller = current_caller(router)
    require_role(caller, "admin", "ingest")

    result = runtime.services().ingestion.ingest(caller.org_id, batch.events, format)
    body = result.as_response()
    logger.info(
        "events ingested",
        accepted=body["accepted"],
        duplicate=body["duplicate"],
        conflict=body["conflict"],
        invalid=body["invalid"],
    )
    return json_response(200, body)


@router.get("/compliance/agents", summary="List the org's agents for pickers")
def list_agents(orgId: Annotated[str | None, Query(max_length=256)] = None) -> AgentList:
    caller = current_caller(router)
    require_role(caller, "admin", "auditor")
    require_own_org(caller, orgId)

    agents = runtime.services().control.list_agents(caller.org_id)
    return AgentList(items=[Agent.model_validate(agent) for agent in agents])


@router.get("/compliance/settings", summary="Read the org's report settings")
def get_settings() -> OrgSettings:
    caller = current_caller(router)
    require_role(caller, "admin")

    return runtime.services().reports.settings(caller.org_id)


@router.put("/compliance/settings", summary="Replace the org's report settings")
def put_settings(settings: Annotated[OrgSettings, Body(embed=False)]) -> OrgSettings:
    caller = current_caller(router)
    require_role(caller, "admin")

    runtime.services().control.put_settings(
        caller.org_id, settings.model_dump(mode="json"), runtime.now()
    )
    logger.info("settings updated")
    return settings
