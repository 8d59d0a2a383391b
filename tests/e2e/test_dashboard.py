"""The dashboard in headless Chromium against the local stack: sign in, generate, download, validate."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from compliance_local.client import ApiClient
from compliance_local.gateway import Gateway
from compliance_local.keys import SigningKey

from tests.conftest import ClientFactory
from tests.e2e.dataset import fixed_trail

try:
    from playwright.sync_api import (
        Browser,
        Locator,
        Page,
        Request,
        Route,
        expect,
        sync_playwright,
    )
except ImportError:
    PLAYWRIGHT_INSTALLED = False
else:
    PLAYWRIGHT_INSTALLED = True

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium"
PLAYWRIGHT_INSTALL = (
    ".venv/bin/pip install -e '.[dev]' (it pins playwright; Chromium comes from Debian)"
)
# Headless Chromium as root on a machine without a GPU or outside network: without the
# background-networking flags it keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# `make screenshots` sets this to docs/images; otherwise screenshots go to the test's tmp_path, so
# a test run leaves the checkout unchanged.
SCREENSHOTS_VARIABLE = "DASHBOARD_SCREENSHOTS"
VIEWPORT = {"width": 1280, "height": 800}
# A zone other than UTC, so that local times and their UTC tooltips differ.
BROWSER_TIMEZONE = "Europe/Berlin"
PERIOD_FROM, PERIOD_TO = "2026-03-01", "2026-03-03"
# Each report of the fixed trail takes a few seconds on the local stack, so this bounds the wait.
REPORT_TIMEOUT_MS = 90_000
LIST_ROUTE = re.compile(r"/compliance/reports\?")
UTC_TOOLTIP = re.compile(r"^ \(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\)$")
# (type, from, to, fields the page marks): spans of 365, 366 and 367 days counting both ends
# across a leap day, an impossible date, one date missing, and a GDPR export without dates.
EDGE_CASES: list[tuple[str, str, str, list[str]]] = [
    ("soc2", "2023-03-03", "2024-03-01", []),
    ("soc2", "2023-03-02", "2024-03-01", []),
    ("audit", "2023-03-01", "2024-03-01", ["dateRange"]),
    ("audit", "2024-02-29", "2024-02-29", []),
    ("soc2", "2026-02-29", "2026-03-01", ["dateRange.from"]),
    ("soc2", "2026-03-01", "", ["dateRange.to"]),
    ("gdpr", "", "", []),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing; install Debian's Chromium with: {CHROMIUM_INSTALL}")
    if not PLAYWRIGHT_INSTALLED:
        pytest.fail(f"the playwright package is missing; install it with: {PLAYWRIGHT_INSTALL}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """Return a fresh page; afterwards, check it raised no error and stayed on 127.0.0.1."""
    context = browser.new_context(
        viewport={"width": VIEWPORT["width"], "height": VIEWPORT["height"]},
        locale="en-GB",
        timezone_id=BROWSER_TIMEZONE,
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    opened = context.new_page()
    errors: list[str] = []
    hosts: set[str] = set()
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    yield opened
    context.close()

    assert errors == []
    # No CDN and no other host: the page works offline against the local stack.
    assert hosts <= {"127.0.0.1"}


@pytest.fixture
def seeded_org(org_id: str, client_for: ClientFactory) -> str:
    counts = client_for(org_id).post_events(fixed_trail())
    assert counts == {"accepted": 17, "duplicate": 0, "conflict": 0, "invalid": 0}
    return org_id


def sign_in(page: Page, gateway: Gateway, org_id: str, role: str) -> None:
    page.goto(gateway.url + "/")
    page.get_by_label("Organisation id").fill(org_id)
    page.get_by_label(role.capitalize()).check()
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#session-label")).to_have_text(
        f"{role}@{org_id}.example · {org_id} · {role}"
    )


def fill_period(page: Page, date_from: str, date_to: str) -> None:
    page.get_by_label("From", exact=True).fill(date_from)
    page.get_by_label("To", exact=True).fill(date_to)


def generate(page: Page) -> None:
    """Click Generate, then check that the API accepted the request and the page shows its title."""
    with page.expect_response(
        lambda response: (
            response.request.method == "POST" and "/compliance/reports/" in response.url
        )
    ) as created_response:
        page.get_by_role("button", name="Generate", exact=True).click()
    response = created_response.value
    assert response.status == 202, response.text()
    record = response.json()
    expect(page.locator("#generate-status")).to_contain_text(
        f"“{record['title']}” is being generated"
    )


def report_row(page: Page, badge: str) -> Locator:
    return page.locator("#report-rows tr").filter(has=page.locator(".badge", has_text=badge))


def utc_millis(timestamp: str) -> str:
    """Format an ISO timestamp as JavaScript's Date.toISOString() does."""
    instant = datetime.fromisoformat(timestamp).astimezone(UTC)
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def download(page: Page, row: Locator, label: str) -> tuple[bytes, str]:
    with page.expect_download() as started:
        row.get_by_role("button", name=label).click()
    file = started.value
    return file.path().read_bytes(), file.suggested_filename


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def check_files(page: Page, row: Locator, record: dict[str, Any]) -> tuple[Any, list[list[str]]]:
    """Download both files of a completed row, check them against the record, and parse them."""
    raw_json, json_name = download(page, row, "Download JSON")
    raw_csv, csv_name = download(page, row, "Download CSV")

    assert json_name.endswith(".json")
    assert csv_name.endswith(".csv")
    assert hashlib.sha256(raw_json).hexdigest() == record["artifacts"]["json"]["sha256"]
    assert hashlib.sha256(raw_csv).hexdigest() == record["artifacts"]["csv"]["sha256"]
    table = csv_rows(raw_csv)
    assert len(table) - 1 == record["rowCount"]
    return json.loads(raw_json), table


def test_admin_generates_and_downloads(
    page: Page, gateway: Gateway, seeded_org: str, client_for: ClientFactory, tmp_path: Path
) -> None:
    screenshots = Path(os.environ.get(SCREENSHOTS_VARIABLE) or tmp_path)
    admin = client_for(seeded_org)
    sign_in(page, gateway, seeded_org, "admin")
    expect(page.get_by_role("tab", name="Generate")).to_have_attribute("aria-selected", "true")

    # SOC2 over all agents.
    page.get_by_label("SOC2 Summary").check()
    fill_period(page, PERIOD_FROM, PERIOD_TO)
    expect(page.get_by_role("checkbox", name="Zoë's Inbox Agent (ag-1)")).to_be_visible()
    page.get_by_label("To", exact=True).blur()
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=screenshots / "dashboard-generate.png")
    generate(page)

    # GDPR export of one agent for one data subject.
    page.get_by_label("GDPR Export").check()
    fill_period(page, PERIOD_FROM, PERIOD_TO)
    page.get_by_label("Agent (required)").select_option("ag-1")
    page.get_by_label("Data subject").fill("s-alice")
    generate(page)

    # Audit summary of one agent, picked with its checkbox.
    page.get_by_label("Audit Summary").check()
    fill_period(page, PERIOD_FROM, PERIOD_TO)
    page.get_by_role("checkbox", name="Ångström Scheduler (ag-2)").check()
    generate(page)

    page.get_by_role("tab", name="Reports").click()
    rows = page.locator("#report-rows tr")
    expect(rows).to_have_count(3)
    for badge in ("SOC2", "GDPR", "AUDIT"):
        expect(report_row(page, badge).locator(".status")).to_have_text(
            "Completed", timeout=REPORT_TIMEOUT_MS
        )
    expect(page.locator("#reports-status")).not_to_contain_text("pending")
    page.screenshot(path=screenshots / "dashboard-reports.png")

    records = {
        badge: admin.json(
            "GET", f"/compliance/reports/{report_row(page, badge).get_attribute('data-report-id')}"
        )
        for badge in ("SOC2", "GDPR", "AUDIT")
    }
    for badge, record in records.items():
        row = report_row(page, badge)
        expect(row.locator(".report-title")).to_have_text(record["title"])
        expect(row.locator("td[data-label='By']")).to_have_text(f"admin@{seeded_org}.example")
        created = row.locator("time")
        expect(created).to_have_attribute("datetime", utc_millis(record["createdAt"]))
        expect(created.locator(".time-utc")).to_have_text(UTC_TOOLTIP)
        expect(row.get_by_role("button", name="Share link")).to_be_visible()

    soc2, soc2_table = check_files(page, report_row(page, "SOC2"), records["SOC2"])
    assert soc2["totals"] == {"eventsRead": 14, "rows": records["SOC2"]["rowCount"]}
    assert soc2["period"]["from"] == PERIOD_FROM
    assert soc2["period"]["to"] == PERIOD_TO
    assert soc2_table[0] == ["control_id", "control_name", "metric", "agent_id", "value"]

    gdpr, gdpr_table = check_files(page, report_row(page, "GDPR"), records["GDPR"])
    assert gdpr["subjectId"] == "s-alice"
    assert gdpr["agent"] == {"agentId": "ag-1", "name": "Zoë's Inbox Agent"}
    assert gdpr["totals"]["rows"] == 2
    assert {row[3] for row in gdpr_table[1:]} == {"s-alice"}

    audit, audit_table = check_files(page, report_row(page, "AUDIT"), records["AUDIT"])
    assert audit["totals"] == {"eventsRead": 2, "rows": 1}
    assert [record["eventId"] for record in audit["records"]] == ["e14"]
    assert audit_table[1][1] == "e14"

    # At 200 % zoom a 1280 px window is 640 CSS px wide: the table turns into cards and nothing
    # needs horizontal scrolling.
    page.set_viewport_size({"width": VIEWPORT["width"] // 2, "height": VIEWPORT["height"]})
    for tab in ("Reports", "Generate"):
        page.get_by_role("tab", name=tab).click()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow == 0, f"the {tab} tab scrolls sideways at 200 % zoom"


def test_validation_messages(
    page: Page, gateway: Gateway, seeded_org: str, client_for: ClientFactory
) -> None:
    admin = client_for(seeded_org)
    posted: list[str] = []

    def record_post(request: Request) -> None:
        if request.method == "POST" and "/compliance/reports/" in request.url:
            posted.append(request.url)

    page.on("request", record_post)
    sign_in(page, gateway, seeded_org, "admin")

    # GDPR without an agent.
    page.get_by_label("GDPR Export").check()
    page.get_by_role("button", name="Generate", exact=True).click()
    agent = page.locator("#agent")
    expect(page.locator("#agent-error")).to_have_text(
        "Choose an agent: a GDPR export covers exactly one agent."
    )
    expect(agent).to_have_attribute("aria-invalid", "true")
    expect(agent).to_be_focused()
    assert_api_field(admin, "gdpr", {}, "agentId")

    # From after To, reported beside From as the API names dateRange.from.
    page.get_by_label("SOC2 Summary").check()
    fill_period(page, "2026-03-05", "2026-03-01")
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(page.locator("#date-from-error")).to_have_text(
        "From (2026-03-05) is after To (2026-03-01); pick a From on or before To."
    )
    expect(page.get_by_label("From", exact=True)).to_be_focused()
    assert_api_field(admin, "soc2", period_body("2026-03-05", "2026-03-01"), "dateRange.from")

    # More than 366 days counting both ends. The message follows the dates as they change.
    fill_period(page, "2025-01-01", "2026-01-02")
    expect(page.locator("#date-from-error")).to_have_text("")
    expect(page.locator("#period-error")).to_contain_text("covers 367 days counting both ends")
    assert_api_field(admin, "audit", period_body("2025-01-01", "2026-01-02"), "dateRange")

    # To after today in the org's time zone, UTC by default.
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    fill_period(page, PERIOD_FROM, tomorrow)
    expect(page.locator("#date-to-error")).to_contain_text(f"To ({tomorrow}) is after today")
    assert_api_field(admin, "soc2", period_body(PERIOD_FROM, tomorrow), "dateRange.to")

    # A valid period clears the messages.
    fill_period(page, PERIOD_FROM, PERIOD_TO)
    expect(page.locator("#generate-form .field-error:not(:empty)")).to_have_count(0)
    # The page sent none of these requests: it stopped each one itself.
    assert posted == []

    # At the edges of the rules the page module marks the fields the API names.
    today = datetime.now(UTC).date().isoformat()
    fields = page.evaluate(
        """async ({ cases, today }) => {
            const { validateReportRequest } = await import("/js/validation.js");
            return cases.map(([type, from, to]) =>
                validateReportRequest({ type, from, to, agentId: "ag-1", agentIds: [] },
                                      { today, timeZone: "UTC" }).map((error) => error.field));
        }""",
        {"cases": [case[:3] for case in EDGE_CASES], "today": today},
    )
    for (report_type, date_from, date_to, expected), marked in zip(EDGE_CASES, fields, strict=True):
        assert marked == expected, (report_type, date_from, date_to)
        if expected:
            dates = {name: value for name, value in (("from", date_from), ("to", date_to)) if value}
            assert_api_field(admin, report_type, {"dateRange": dates}, expected[0])


def test_tabs_follow_arrow_keys(page: Page, gateway: Gateway, seeded_org: str) -> None:
    sign_in(page, gateway, seeded_org, "admin")
    generate_tab = page.get_by_role("tab", name="Generate")
    reports_tab = page.get_by_role("tab", name="Reports")

    expect(generate_tab).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(reports_tab).to_be_focused()
    expect(reports_tab).to_have_attribute("aria-selected", "true")
    expect(page.locator("#panel-reports")).to_be_visible()
    expect(page.locator("#panel-generate")).to_be_hidden()
    page.keyboard.press("Home")
    expect(generate_tab).to_have_attribute("aria-selected", "true")
    expect(page.locator("#panel-generate")).to_be_visible()


def test_auditor_sees_no_generate(
    page: Page, gateway: Gateway, seeded_org: str, client_for: ClientFactory
) -> None:
    admin = client_for(seeded_org)
    record = admin.json(
        "POST",
        "/compliance/reports/gdpr",
        expected=202,
        json={"agentId": "ag-2", "dateRange": {"from": PERIOD_FROM, "to": PERIOD_TO}},
    )
    finished = admin.wait_for(record["reportId"], timeout=REPORT_TIMEOUT_MS / 1000)
    assert finished["status"] == "completed", finished.get("error")

    sign_in(page, gateway, seeded_org, "auditor")
    expect(page.get_by_role("tab", name="Reports")).to_have_attribute("aria-selected", "true")
    row = report_row(page, "GDPR")
    expect(row.locator(".status")).to_have_text("Completed")

    expect(page.get_by_role("button", name="Generate")).to_have_count(0)
    expect(page.get_by_role("tab", name="Generate")).to_have_count(0)
    expect(page.locator("#generate-form")).to_have_count(0)
    expect(page.locator("#read-only-note")).to_be_visible()
    expect(row.get_by_role("button", name="Share link")).to_have_count(0)
    document, _table = check_files(page, row, finished)
    assert document["agent"]["agentId"] == "ag-2"


def fake_record(suffix: str, status: str, **fields: Any) -> dict[str, Any]:
    """Return a report record as the list route returns it, with an id that the API does not know."""
    return {
        "reportId": f"01DASHBOARDTEST{suffix}",
        "orgId": "org-fake",
        "type": "soc2",
        "title": f"SOC2 Summary · {PERIOD_FROM} to {PERIOD_TO} · all agents · {suffix}",
        "status": status,
        "attempt": 1,
        "history": [],
        "parameters": {},
        "createdAt": "2026-03-04T09:00:00.000000+00:00",
        "createdBy": "admin@org-fake.example",
        "completedAt": None,
        "progress": {"shardsTotal": 3, "shardsDone": 1, "eventsRead": 12},
        "error": None,
        "artifacts": None,
        "rowCount": None,
        **fields,
    }


def test_report_states_and_actions(page: Page, gateway: Gateway, seeded_org: str) -> None:
    """Check pending and failed rows, retry and share, with the list route mocked by the test."""
    records = [
        fake_record("PENDING", "pending"),
        fake_record(
            "FAILED",
            "failed",
            attempt=2,
            error={"code": "SHARD_FAILED", "message": "Reading day 2026-03-02 failed."},
        ),
        fake_record(
            "DONE",
            "completed",
            rowCount=1,
            artifacts={
                "json": {"bytes": 2048, "sha256": "0"},
                "csv": {"bytes": 100, "sha256": "0"},
            },
        ),
    ]

    def fulfil_list(route: Route) -> None:
        route.fulfill(json={"items": records, "nextCursor": None})

    share_url = "http://127.0.0.1:1/compliance/shared/abc"
    created = {
        "share": {
            "shareId": "sh1",
            "orgId": "org-fake",
            "reportId": "01DASHBOARDTESTDONE",
            "format": "csv",
            "note": None,
            "createdAt": "2026-03-04T09:00:00+00:00",
            "createdBy": "admin@org-fake.example",
            "expiresAt": "2026-03-11T09:00:00+00:00",
        },
        "url": share_url,
        "token": "abc",
    }
    page.route(LIST_ROUTE, fulfil_list)
    page.route(
        re.compile(r"/compliance/reports/01DASHBOARDTESTDONE/shares$"),
        lambda route: route.fulfill(status=201, json=created),
    )
    sign_in(page, gateway, seeded_org, "admin")
    page.get_by_role("tab", name="Reports").click()

    pending = page.locator("#report-rows tr").filter(has_text="· PENDING")
    progress = pending.locator("progress")
    expect(progress).to_have_attribute("max", "3")
    expect(progress).to_have_attribute("value", "1")
    expect(progress).to_have_accessible_name("1 of 3 days processed")
    expect(pending.locator(".status-detail")).to_have_text("Day 1 of 3 · 12 events read")
    expect(pending.get_by_role("button")).to_have_count(0)
    # The list refreshes itself while a report is pending.
    with page.expect_request(LIST_ROUTE, timeout=10_000):
        pass

    failed = page.locator("#report-rows tr").filter(has_text="· FAILED")
    expect(failed.locator(".status-reason")).to_have_text("Reading day 2026-03-02 failed.")
    expect(failed.locator(".status-detail")).to_have_text("attempt 2")
    expect(failed.get_by_role("button", name="Download JSON")).to_have_count(0)
    # The API does not know this report (or, where the route is missing, the route): the row
    # shows the API's error and the report stays failed.
    failed.get_by_role("button", name="Retry").click()
    expect(failed.locator(".row-status")).to_contain_text("Retry failed: ")
    expect(failed.locator(".status")).to_have_text("Failed")

    done = page.locator("#report-rows tr").filter(has_text="· DONE")
    expect(done.locator(".status-detail")).to_have_text("1 row · JSON 2.0 KiB · CSV 100 bytes")
    opener = done.get_by_role("button", name="Share link")
    opener.click()
    dialog = page.get_by_role("dialog", name="Share link")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Expires after (days)").fill("31")
    dialog.get_by_role("button", name="Create link").click()
    expect(dialog.locator("#share-days-error")).to_have_text(
        "Enter a whole number of days from 1 to 30."
    )
    dialog.get_by_label("Expires after (days)").fill("7")
    dialog.get_by_label("CSV").check()
    with page.expect_request(re.compile(r"/shares$")) as sent:
        dialog.get_by_role("button", name="Create link").click()
    assert sent.value.post_data_json == {"format": "csv", "expiresInDays": 7}
    expect(dialog.get_by_label("Link")).to_have_value(share_url)
    expect(dialog.locator("#share-expiry")).to_contain_text("(2026-03-11 09:00:00 UTC)")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()


def test_oidc_sign_in_with_pkce(
    page: Page, gateway: Gateway, signing_key: SigningKey, seeded_org: str
) -> None:
    """Sign in through the code flow with PKCE against a stand-in identity provider.

    The test serves config.json and the provider's endpoints itself with Playwright routes, so
    those requests never leave the browser. The tokens are signed with the local key, so the
    gateway accepts the access token as the HTTP API's JWT authorizer would.
    """
    issuer = f"{gateway.url}/idp"
    client_id = "dashboard"
    config = {
        "apiUrl": gateway.url + "/",
        "stage": "test",
        "auth": {"issuer": issuer + "/", "clientId": client_id, "audience": ["compliance-reports"]},
    }
    metadata = {
        "issuer": issuer + "/",
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "end_session_endpoint": f"{issuer}/logout",
    }
    user = f"oidc-admin@{seeded_org}.example"
    authorize: dict[str, str] = {}
    exchange: dict[str, str] = {}
    issued: dict[str, str] = {}

    def fulfil_authorize(route: Route) -> None:
        authorize.update(parse_qsl(urlsplit(route.request.url).query))
        redirect = f"{authorize['redirect_uri']}?code=code-1&state={authorize['state']}"
        route.fulfill(status=302, headers={"Location": redirect})

    def fulfil_token(route: Route) -> None:
        exchange.update(parse_qsl(route.request.post_data or ""))
        id_token = signing_key.mint(
            seeded_org, "admin", user, audience=client_id, extra={"nonce": authorize["nonce"]}
        )
        issued["access_token"] = signing_key.mint(seeded_org, "admin", user)
        body = {"access_token": issued["access_token"], "id_token": id_token, "expires_in": 3600}
        route.fulfill(json=body)

    page.route(re.compile(r"/config\.json$"), lambda route: route.fulfill(json=config))
    page.route(
        re.compile(r"/idp/\.well-known/openid-configuration$"),
        lambda route: route.fulfill(json=metadata),
    )
    page.route(re.compile(r"/idp/authorize\?"), fulfil_authorize)
    page.route(re.compile(r"/idp/token$"), fulfil_token)
    page.route(
        re.compile(r"/idp/logout\?"),
        lambda route: route.fulfill(body="signed out", content_type="text/plain"),
    )

    page.goto(gateway.url + "/")
    expect(page.locator("#sign-in")).to_be_hidden()
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#session-label")).to_have_text(f"{user} · {seeded_org} · admin")

    assert authorize["response_type"] == "code"
    assert authorize["client_id"] == client_id
    assert authorize["redirect_uri"] == gateway.url + "/"
    assert authorize["scope"] == "openid email profile"
    assert authorize["code_challenge_method"] == "S256"
    assert authorize["audience"] == "compliance-reports"
    digest = hashlib.sha256(exchange["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == authorize["code_challenge"]
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["code"] == "code-1"
    assert exchange["redirect_uri"] == gateway.url + "/"
    # The code is gone from the address bar, and the token is in sessionStorage only.
    assert page.url == gateway.url + "/"
    stored = json.loads(page.evaluate("sessionStorage.getItem('compliance-reports.session')"))
    assert stored["token"] == issued["access_token"]
    assert page.evaluate("Object.keys(sessionStorage)") == ["compliance-reports.session"]
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("document.cookie") == ""
    expect(page.get_by_role("tab", name="Generate")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("checkbox", name="Zoë's Inbox Agent (ag-1)")).to_be_visible()

    with page.expect_request(re.compile(r"/idp/logout\?")) as sign_out:
        page.get_by_role("button", name="Sign out").click()
    logout = dict(parse_qsl(urlsplit(sign_out.value.url).query))
    assert logout["client_id"] == client_id
    assert logout["post_logout_redirect_uri"] == gateway.url + "/"
    assert "id_token_hint" in logout


def period_body(date_from: str, date_to: str) -> dict[str, Any]:
    return {"dateRange": {"from": date_from, "to": date_to}}


def assert_api_field(client: ApiClient, report_type: str, body: dict[str, Any], field: str) -> None:
    """Check that the API rejects the same request with the field the page marked."""
    response = client.request("POST", f"/compliance/reports/{report_type}", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
