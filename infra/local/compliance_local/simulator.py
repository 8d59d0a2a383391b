"""Deterministic simulator of an agent platform's audit trail, for the demo and the tests.

`simulate` builds about 250 events a day for two orgs: agent activity with personal data, DLP
violations, logins and API requests, and admin actions. Scripted scenarios cover the hard
cases that reports must handle. These are failed-login bursts (one crossing UTC midnight),
admin actions at night and on weekends, and pairs of events in the same millisecond. Names
include non-ASCII ones and a display name that a spreadsheet would read as a formula.
Most events are native audit events.
About 5% of the access and admin events come as OCSF 1.1.0 events of classes 3002
Authentication and 3001 Account Change, as an identity provider would send them.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import accumulate, product
from typing import Any, Final, Generic, NamedTuple, TypeVar

MIN_DAYS: Final = 7
OCSF_SHARE: Final = 0.05
OCSF_VERSION: Final = "1.1.0"

_SECOND: Final = 1000
_MINUTE: Final = 60 * _SECOND
_HOUR: Final = 60 * _MINUTE
_DAY: Final = 24 * _HOUR
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

LLM_PROVIDER: Final = "LLM provider (Anthropic)"
FORMULA_NAME: Final = '=HYPERLINK("http://example.invalid","x")'

_BROWSERS: Final = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
)
_API_CLIENT: Final = "agent-platform-cli/2.3.1"
_ATTACK_CLIENT: Final = "python-requests/2.31.0"

_Item = TypeVar("_Item")


class _Weighted(Generic[_Item]):
    """Items with relative weights, with cumulative sums computed once for fast picks."""

    def __init__(self, pairs: Sequence[tuple[_Item, float]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random) -> _Item:
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


_SEVERITIES: Final = ("low", "medium", "high", "critical")
_DLP_ACTIONS: Final = ("flagged", "redacted", "blocked", "quarantined")
_LAWFUL_BASIS: Final = _Weighted([("contract", 50), ("legitimate interest", 40), ("consent", 10)])
_SEVERITY: Final = _Weighted(list(zip(_SEVERITIES, (30, 35, 25, 10), strict=True)))
_DLP_ACTION: Final = _Weighted(list(zip(_DLP_ACTIONS, (35, 30, 25, 10), strict=True)))


@dataclass(frozen=True)
class SimulatedTrail:
    """Events of the simulated orgs, keyed by org id and sorted by time.

    `native` contains audit-event dicts in the input shape of `AuditEvent`. `ocsf` contains
    OCSF 1.1.0 events that the demo imports through the OCSF path, and they are not repeated
    in `native`.
    `agents` lists (agentId, display name) per org.
    """

    native: dict[str, list[dict[str, Any]]]
    ocsf: dict[str, list[dict[str, Any]]]
    agents: dict[str, list[tuple[str, str]]]


# --- org profiles ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _User:
    id: str
    name: str
    email: str
    admin: bool
    ip: str
    browser: str

    def actor(self) -> dict[str, Any]:
        return {"type": "user", "id": self.id, "email": self.email, "name": self.name}

    def target(self) -> dict[str, Any]:
        return {"type": "user", "id": self.id, "name": self.name}


@dataclass(frozen=True)
class _AgentKind:
    """An agent's behaviour: weighted actions, processing purpose and data categories."""

    template: str
    weekday_rate: int
    actions: tuple[tuple[str, int], ...]
    purpose: str
    extra_category: str | None = None
    health_share: float = 0.0


@dataclass(frozen=True)
class _Agent:
    id: str
    name: str
    kind: _AgentKind
    # Fraction of the window after which the agent is created. 0 means the first morning.
    created_at_fraction: float = 0.0

    def actor(self) -> dict[str, Any]:
        return {"type": "agent", "id": self.id, "name": self.name}

    def target(self) -> dict[str, Any]:
        return {"type": "agent", "id": self.id, "name": self.name}


@dataclass(frozen=True)
class _Burst:
    """A run of failed logins: `failures` attempts starting at `hour:minute` on a window day."""

    day_fraction: float
    hour: int
    minute: int
    failures: int
    actor_id: str
    ip: str
    locks_account: bool = False


@dataclass(frozen=True)
class _OrgProfile:
    org_id: str
    domain: str
    users: tuple[_User, ...]
    invited: tuple[tuple[float, _User], ...]
    removed: tuple[tuple[float, str], ...]
    agents: tuple[_Agent, ...]
    bursts: tuple[_Burst, ...]
    api_key_id: str
    api_key_ip: str
    api_weekday_rate: int
    customer_domain: str


_INBOX = _AgentKind(
    "inbox",
    68,
    (
        ("email.received", 35),
        ("email.read", 30),
        ("email.sent", 20),
        ("contacts.read", 10),
        ("calendar.read", 5),
    ),
    "customer support",
    None,
    0.005,
)
_SCHEDULER = _AgentKind(
    "scheduler",
    29,
    (("calendar.read", 45), ("calendar.event_created", 25), ("email.sent", 15), ("email.read", 15)),
    "meeting scheduling",
)
_SALES = _AgentKind(
    "sales",
    34,
    (("email.sent", 40), ("email.read", 25), ("contacts.read", 20), ("email.received", 15)),
    "sales follow-up",
    "purchase history",
)
_CONTRACTS = _AgentKind(
    "contracts",
    19,
    (("document.read", 40), ("email.read", 30), ("email.sent", 15), ("email.received", 15)),
    "contract review",
    "contract data",
)
_SUPPORT = _AgentKind(
    "support",
    56,
    (("email.received", 35), ("email.sent", 30), ("email.read", 25), ("contacts.read", 10)),
    "customer support",
    None,
    0.01,
)
_RECRUITING = _AgentKind(
    "recruiting",
    24,
    (
        ("email.received", 30),
        ("email.read", 30),
        ("email.sent", 20),
        ("calendar.event_created", 20),
    ),
    "recruitment",
    "employment history",
)
_HR = _AgentKind(
    "hr",
    19,
    (
        ("email.read", 30),
        ("email.received", 25),
        ("email.sent", 20),
        ("calendar.read", 15),
        ("document.read", 10),
    ),
    "employee requests",
    "employment data",
    0.04,
)


def _acme() -> _OrgProfile:
    def user(slug: str, name: str, admin: bool, index: int) -> _User:
        return _User(
            f"usr-{slug}",
            name,
            f"{slug.replace('-', '.')}@acme.example",
            admin,
            f"198.51.100.{10 + index}",
            _BROWSERS[index % len(_BROWSERS)],
        )

    return _OrgProfile(
        org_id="org-acme",
        domain="acme.example",
        users=(
            user("zoe-angstrom", "Zoë Ångström", True, 0),
            user("jose-nunez", "José Núñez", True, 1),
            user("ken-watanabe", "渡辺 健", False, 2),
            user("priya-raman", "Priya Raman", False, 3),
            user("oliver-smith", "Oliver Smith", False, 4),
            user("aoife-obrien", "Aoife O'Brien", False, 5),
        ),
        invited=(
            (0.25, user("mateo-garcia", "Mateo García", False, 6)),
            (0.55, user("francois-lefevre", "François Lefèvre", False, 7)),
        ),
        removed=((0.65, "usr-oliver-smith"),),
        agents=(
            _Agent("agt-acme-inbox", "Zoë's Inbox Agent", _INBOX),
            _Agent("agt-acme-scheduler", "Ångström Scheduler", _SCHEDULER),
            _Agent("agt-acme-sales", "Sales Follow-up Agent", _SALES),
            _Agent("agt-acme-contracts", "Contract Review Agent", _CONTRACTS, 0.4),
        ),
        bursts=(
            _Burst(0.2, 10, 14, 6, "usr-jose-nunez", "192.0.2.77", locks_account=True),
            # Starts at 23:58 with gaps of at least 25 s, so the run always spans two UTC days.
            _Burst(0.5, 23, 58, 7, "admin@acme.example", "198.51.100.200"),
            _Burst(0.7, 14, 2, 5, "usr-ken-watanabe", "192.0.2.31"),
        ),
        api_key_id="key-acme-deploy",
        api_key_ip="198.51.100.5",
        api_weekday_rate=30,
        customer_domain="customers.example",
    )


def _globex() -> _OrgProfile:
    def user(slug: str, name: str, admin: bool, index: int) -> _User:
        return _User(
            f"usr-{slug}",
            name,
            f"{slug.replace('-', '.')}@globex.example",
            admin,
            f"203.0.113.{20 + index}",
            _BROWSERS[(index + 1) % len(_BROWSERS)],
        )

    return _OrgProfile(
        org_id="org-globex",
        domain="globex.example",
        users=(
            user("lukasz-zolc", "Łukasz Żółć", True, 0),
            user("amelie-dubois", "Amélie Dubois", True, 1),
            user("soren-ostergaard", "Søren Østergaard", False, 2),
            user("chidi-okafor", "Chidi Okafor", False, 3),
            user("chen-mei", "陈美", False, 4),
        ),
        invited=(
            # A self-chosen display name that a spreadsheet would evaluate as a formula.
            (0.25, user("hyperlink-test", FORMULA_NAME, False, 5)),
            (0.55, user("ines-pereira", "Inês Pereira", False, 6)),
        ),
        removed=((0.65, "usr-soren-ostergaard"),),
        agents=(
            _Agent("agt-globex-support", "Łukasz Support Bot", _SUPPORT),
            _Agent("agt-globex-recruiting", "Recruiting Assistant", _RECRUITING),
            _Agent("agt-globex-hr", "Personalwesen-Assistent (HR)", _HR),
        ),
        bursts=(
            _Burst(0.3, 9, 40, 8, "usr-lukasz-zolc", "192.0.2.140", locks_account=True),
            _Burst(0.6, 3, 12, 5, "root", "2001:db8:bad::7"),
        ),
        api_key_id="key-globex-sync",
        api_key_ip="203.0.113.5",
        api_weekday_rate=18,
        customer_domain="clients.example",
    )


# --- drafts: events before ids and timestamps are fixed -------------------------------------------


@dataclass
class _Draft:
    """A generated event before its id is assigned, at `millis` (epoch ms).

    `form` is "native", "login" (may be sent as OCSF 3002) or "account" (sent only as OCSF
    3001, with `activity_id` and `policy`).
    """

    millis: int
    sequence: int
    event: dict[str, Any]
    form: str = "native"
    activity_id: int = 0
    policy: str | None = None


@dataclass
class _OrgTrail:
    """One org's drafts while they are generated, with its random generator and time window."""

    profile: _OrgProfile
    rng: random.Random
    first_day: date
    days: int
    drafts: list[_Draft] = field(default_factory=list)
    subjects: _Weighted[str] = field(default_factory=lambda: _Weighted([]))
    start: int = field(init=False)

    def __post_init__(self) -> None:
        self.start = _day_millis(self.first_day)

    def day(self, fraction: float) -> int:
        """Return the window day index at `fraction` of the window, kept clear of both ends."""
        return min(self.days - 3, max(1, round(fraction * self.days)))

    def at(self, day_index: int, hour: int, minute: int = 0, second: int = 0) -> int:
        return self.start + day_index * _DAY + hour * _HOUR + minute * _MINUTE + second * _SECOND

    def is_weekend(self, day_index: int) -> bool:
        return (self.first_day + timedelta(days=day_index)).weekday() >= 5

    def add(self, millis: int, event: dict[str, Any], **options: Any) -> None:
        self.drafts.append(_Draft(millis, len(self.drafts), event, **options))

    def subject(self) -> str:
        return self.subjects.pick(self.rng)

    def working_time(self, day_index: int) -> int:
        """Return a time between 07:00 and 19:00 UTC, most often mid-morning or mid-afternoon."""
        hour = self.rng.choice((7, 8, 9, 9, 10, 10, 11, 12, 13, 14, 14, 15, 15, 16, 17, 18))
        return self.at(day_index, hour) + self.rng.randrange(_HOUR)


def _event(
    category: str,
    action: str,
    outcome: str,
    actor: dict[str, Any],
    *,
    agent_id: str | None = None,
    target: dict[str, Any] | None = None,
    source: dict[str, Any] | None = None,
    personal_data: list[dict[str, Any]] | None = None,
    dlp: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "category": category,
        "action": action,
        "outcome": outcome,
        "actor": actor,
        "agentId": agent_id,
        "target": target,
        "source": source or {},
        "personalData": personal_data or [],
        "dlp": dlp,
        "details": details or {},
    }


def _day_millis(day: date) -> int:
    return (day - _EPOCH.date()).days * _DAY


def _iso(millis: int) -> str:
    """Format epoch ms like `format_utc_millis`, without a datetime per event, for speed."""
    days, rest = divmod(millis, _DAY)
    seconds, milliseconds = divmod(rest, _SECOND)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{_date_text(days)}T{hours:02d}:{minutes:02d}:{seconds:02d}.{milliseconds:03d}Z"


@cache
def _date_text(days_since_epoch: int) -> str:
    return (_EPOCH.date() + timedelta(days=days_since_epoch)).isoformat()


# --- public entry point ---------------------------------------------------------------------------


def simulate(today: date, *, days: int = 60, seed: int = 7) -> SimulatedTrail:
    """Simulate the audit trails of `org-acme` and `org-globex` for the `days` days up to `today`.

    Days are UTC dates. The same arguments give the same events, except that events after the
    current time are left out when `today` is the current date. Raises ValueError when `days` is
    below 7, which the scripted scenarios need, or when `today` is after the current UTC date.
    """
    if days < MIN_DAYS:
        raise ValueError(f"days is {days}; the simulator needs at least {MIN_DAYS} days")
    now = datetime.now(UTC)
    if today > now.date():
        raise ValueError(
            f"today ({today.isoformat()}) is after the current UTC date "
            f"({now.date().isoformat()}); pass today or an earlier date"
        )
    now_millis = (now - _EPOCH) // timedelta(milliseconds=1)
    first_day = today - timedelta(days=days - 1)

    trail = SimulatedTrail(native={}, ocsf={}, agents={})
    for profile in (_acme(), _globex()):
        # A string seed is hashed with SHA-512, so each org's sequence is stable across runs.
        # The data is simulated, so a non-cryptographic generator is the right tool.
        rng = random.Random(f"{seed}:{profile.org_id}")  # noqa: S311
        org = _OrgTrail(profile, rng, first_day, days)
        _generate(org)
        native, ocsf = _finish(org, now_millis)
        trail.native[profile.org_id] = native
        trail.ocsf[profile.org_id] = ocsf
        trail.agents[profile.org_id] = [(agent.id, agent.name) for agent in profile.agents]
    return trail


def _generate(org: _OrgTrail) -> None:
    _make_subjects(org)
    created = _add_agent_lifecycle(org)
    active = _add_user_lifecycle(org)
    _add_scripted_admin(org)
    _add_routine_admin(org, created)
    _add_agent_activity(org, created)
    _add_logins(org, active)
    _add_bursts(org)
    _add_api_requests(org)
    _add_identity_provider_changes(org, active)


def _make_subjects(org: _OrgTrail) -> None:
    """Create 150 data subjects, half as `subj-<hash>` ids and half as email addresses.

    Weights fall off as 1/rank, so a few subjects appear in many events, as real inboxes do.
    """
    names = (
        "maria.garcia",
        "li.wei",
        "olga.petrova",
        "james.miller",
        "fatima.zahra",
        "noah.schmidt",
        "yuki.tanaka",
        "ana.souza",
        "emeka.obi",
        "sara.lind",
    )
    subjects: list[tuple[str, float]] = []
    for index in range(150):
        if index % 2 == 0:
            digest = hashlib.sha256(f"{org.profile.org_id}:{index}".encode()).hexdigest()
            subject = f"subj-{digest[:16]}"
        else:
            subject = f"{names[index % len(names)]}{index}@{org.profile.customer_domain}"
        subjects.append((subject, 1.0 / (index + 1)))
    org.subjects = _Weighted(subjects)


# --- admin: agents, users, policies ---------------------------------------------------------------


def _admins(org: _OrgTrail) -> list[_User]:
    return [user for user in org.profile.users if user.admin]


def _admin_event(
    org: _OrgTrail, admin: _User, action: str, target: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    source = {"ip": admin.ip, "userAgent": admin.browser}
    return _event("admin", action, "success", admin.actor(), target=target, source=source, **extra)


def _add_agent_lifecycle(org: _OrgTrail) -> dict[str, int]:
    """Add one `agent.created` per agent and return each agent's creation time."""
    created: dict[str, int] = {}
    admins = _admins(org)
    for index, agent in enumerate(org.profile.agents):
        if agent.created_at_fraction:
            millis = org.at(org.day(agent.created_at_fraction), 9, 30)
        else:
            # On the first morning, a few minutes apart. Activity starts 30 min after creation.
            millis = org.at(0, 8, 5 + 7 * index, 12)
        admin = admins[index % len(admins)]
        details = {"template": agent.kind.template}
        org.add(
            millis,
            _admin_event(
                org, admin, "agent.created", agent.target(), agent_id=agent.id, details=details
            ),
        )
        created[agent.id] = millis
    return created


def _add_user_lifecycle(org: _OrgTrail) -> dict[str, tuple[_User, int, int]]:
    """Add invitations and removals, and return each user's active interval [from, until)."""
    window_end = org.start + org.days * _DAY
    active = {user.id: (user, org.start, window_end) for user in org.profile.users}
    admins = _admins(org)

    for fraction, user in org.profile.invited:
        millis = org.at(org.day(fraction), 11, 20)
        org.add(
            millis,
            _admin_event(org, admins[0], "user.invited", user.target(), details={"role": "member"}),
        )
        active[user.id] = (user, millis + 2 * _HOUR, window_end)

    for fraction, user_id in org.profile.removed:
        user, since, _ = active[user_id]
        millis = org.at(org.day(fraction), 16, 45)
        org.add(millis, _admin_event(org, admins[1], "user.removed", user.target()))
        active[user_id] = (user, since, millis)
        # The identity provider disables the account a minute after the removal.
        org.add(
            millis + _MINUTE,
            _account_change_draft(org, admins[1], user, 5),
            form="account",
            activity_id=5,
        )
    return active


def _add_scripted_admin(org: _OrgTrail) -> None:
    """Add one of each admin action early in the window, and a few at night or on a weekend."""
    first, second = _admins(org)[:2]
    member = next(user for user in org.profile.users if not user.admin)
    policy = {"type": "policy", "id": "pol-outbound-dlp", "name": "Outbound DLP policy"}
    auditor_role = {"type": "role", "id": "role-auditor", "name": "Auditor"}
    retention = {"type": "setting", "id": "retention-days", "name": "Retention period"}

    org.add(
        org.at(1, 9, 12),
        _admin_event(
            org, first, "policy.updated", policy, details={"changed": ["severityThreshold"]}
        ),
    )
    org.add(
        org.at(1, 10, 3),
        _admin_event(org, second, "config.updated", retention, details={"from": 365, "to": 2555}),
    )
    org.add(
        org.at(2, 14, 40),
        _admin_event(
            org,
            first,
            "user.role_changed",
            member.target(),
            details={"fromRole": "member", "toRole": "auditor"},
        ),
    )
    org.add(
        org.at(2, 15, 5),
        _admin_event(
            org,
            second,
            "role.updated",
            auditor_role,
            details={"permissionsAdded": ["reports.download"]},
        ),
    )

    # Night and weekend actions, which a reviewer looks for in the audit report.
    night = org.day(0.35)
    org.add(
        org.at(night, 2, 14, 9),
        _admin_event(
            org, second, "policy.updated", policy, details={"changed": ["blockedDataTypes"]}
        ),
    )
    weekend_day = _next_weekend_day(org, org.day(0.45))
    org.add(
        org.at(weekend_day, 21, 48, 30),
        _admin_event(org, first, "config.updated", retention, details={"from": 2555, "to": 1825}),
    )
    later_weekend_day = _next_weekend_day(org, weekend_day + 1)
    org.add(
        org.at(later_weekend_day, 3, 5, 44),
        _admin_event(
            org,
            first,
            "role.updated",
            auditor_role,
            details={"permissionsAdded": ["reports.share"]},
        ),
    )


def _next_weekend_day(org: _OrgTrail, day_index: int) -> int:
    """Return the first Saturday or Sunday from `day_index`, or `day_index` in a short window."""
    for candidate in range(day_index, org.days - 1):
        if org.is_weekend(candidate):
            return candidate
    return day_index


def _add_routine_admin(org: _OrgTrail, created: dict[str, int]) -> None:
    """Add occasional admin changes: mostly working hours, one in ten at any hour."""
    admins = _admins(org)
    members = [user for user in org.profile.users if not user.admin]
    policy = {"type": "policy", "id": "pol-data-retention", "name": "Mailbox retention policy"}
    setting = {"type": "setting", "id": "llm-provider", "name": "LLM provider"}
    rng = org.rng

    for day_index in range(org.days):
        rate = 0.3 if org.is_weekend(day_index) else 1.0
        for agent in org.profile.agents:
            if rng.random() < 0.08 * rate:
                millis = _admin_time(org, day_index)
                if millis > created[agent.id]:
                    org.add(
                        millis,
                        _admin_event(
                            org,
                            rng.choice(admins),
                            "agent.updated",
                            agent.target(),
                            agent_id=agent.id,
                            details={
                                "changed": [
                                    rng.choice(
                                        ("instructions", "model", "mailboxScope", "schedule")
                                    )
                                ]
                            },
                        ),
                    )
        if rng.random() < 0.07 * rate:
            org.add(
                _admin_time(org, day_index),
                _admin_event(
                    org,
                    rng.choice(admins),
                    "policy.updated",
                    policy,
                    details={"changed": ["retentionDays"]},
                ),
            )
        if rng.random() < 0.05 * rate:
            org.add(
                _admin_time(org, day_index),
                _admin_event(
                    org,
                    rng.choice(admins),
                    "config.updated",
                    setting,
                    details={"changed": ["region"]},
                ),
            )
        if rng.random() < 0.03 * rate:
            member = rng.choice(members)
            roles = rng.choice((("member", "auditor"), ("auditor", "member"), ("member", "admin")))
            org.add(
                _admin_time(org, day_index),
                _admin_event(
                    org,
                    rng.choice(admins),
                    "user.role_changed",
                    member.target(),
                    details={"fromRole": roles[0], "toRole": roles[1]},
                ),
            )


def _admin_time(org: _OrgTrail, day_index: int) -> int:
    if org.rng.random() < 0.1:
        return org.at(day_index, 0) + org.rng.randrange(_DAY)
    return org.working_time(day_index)


# --- agent activity and DLP -----------------------------------------------------------------------


_TARGET_TYPES: Final = {
    "email": "email",
    "calendar": "calendar_event",
    "contacts": "contact",
    "document": "document",
}
_SOURCES: Final = {
    "email.received": "email from the data subject",
    "email.read": "mailbox",
    "calendar.read": "calendar",
    "calendar.event_created": "calendar",
    "contacts.read": "address book",
    "document.read": "document store",
}
_CATEGORIES: Final = {
    "email": ["contact details", "email content"],
    "calendar": ["calendar data"],
    "contacts": ["contact details"],
    "document": ["contact details", "document content"],
}
_DOCUMENT_NAMES: Final = (
    "Master services agreement.pdf",
    "Rahmenvertrag Müller GmbH.pdf",
    "NDA – Société Générale.docx",
    "Offer letter.pdf",
)


class _DlpRule(NamedTuple):
    rule_id: str
    name: str
    data_types: tuple[str, ...]
    # The personal-data category that a match exposes. It is None when no person is involved.
    category: str | None


_DLP_RULE: Final = _Weighted(
    [
        (
            _DlpRule(
                "dlp-payment-card",
                "Payment card number in a message",
                ("credit_card",),
                "financial data",
            ),
            25,
        ),
        (
            _DlpRule(
                "dlp-iban", "Bank account number (IBAN) in a message", ("iban",), "financial data"
            ),
            20,
        ),
        (
            _DlpRule(
                "dlp-health",
                "Health record sent outside the org",
                ("health_record",),
                "health data",
            ),
            10,
        ),
        (
            _DlpRule(
                "dlp-national-id",
                "National identity number",
                ("national_id",),
                "identification data",
            ),
            15,
        ),
        (
            _DlpRule(
                "dlp-credentials", "API key or password in a message", ("api_key", "password"), None
            ),
            15,
        ),
        (
            _DlpRule(
                "dlp-bulk-contacts",
                "Bulk export of contact details",
                ("email_address", "phone_number"),
                "contact details",
            ),
            15,
        ),
    ]
)
_DLP_OUTCOMES: Final = {
    "blocked": "blocked",
    "quarantined": "blocked",
    "redacted": "success",
    "flagged": "success",
}
_DLP_TRIGGERS: Final = frozenset({"email.sent", "email.read", "document.read"})


def _add_agent_activity(org: _OrgTrail, created: dict[str, int]) -> None:
    rng = org.rng
    # The first 16 DLP events of each org cover every (severity, action taken) pair, so every
    # row of the SOC2 DLP metrics has data.
    combinations = list(product(_SEVERITIES, _DLP_ACTIONS))
    rng.shuffle(combinations)

    for agent in org.profile.agents:
        actions = _Weighted(agent.kind.actions)
        active_from = created[agent.id] + 30 * _MINUTE
        for day_index in range(org.days):
            factor = 0.3 if org.is_weekend(day_index) else 1.0
            count = round(agent.kind.weekday_rate * factor * rng.uniform(0.8, 1.2))
            for _ in range(count):
                if rng.random() < 0.75:
                    millis = org.at(day_index, 6) + rng.randrange(14 * _HOUR)
                else:
                    millis = org.at(day_index, 0) + rng.randrange(_DAY)
                if millis < active_from:
                    continue
                action = actions.pick(rng)
                event, subject = _agent_event(org, agent, action)
                org.add(millis, event)

                if action == "email.received" and rng.random() < 0.04:
                    # The agent opens the message in the millisecond it arrives.
                    read = _agent_event(org, agent, "email.read", subject, dict(event["target"]))[0]
                    org.add(millis, read)
                if action in _DLP_TRIGGERS and rng.random() < 0.035:
                    combination = combinations.pop() if combinations else None
                    delay = 0 if rng.random() < 0.3 else rng.randrange(1, 900)
                    org.add(
                        millis + delay,
                        _dlp_event(org, agent, subject, dict(event["target"]), combination),
                    )


def _agent_event(
    org: _OrgTrail,
    agent: _Agent,
    action: str,
    subject: str | None = None,
    target: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], str]:
    """Build one agent event and return it with the data subject it is mainly about."""
    rng = org.rng
    kind = agent.kind
    family = action.split(".")[0]
    subject = subject or org.subject()

    categories = list(_CATEGORIES[family])
    if kind.extra_category:
        categories.append(kind.extra_category)
    lawful_basis = _LAWFUL_BASIS.pick(rng)
    purpose = kind.purpose
    if kind.health_share and rng.random() < kind.health_share:
        # Health data is a special category (GDPR Art. 9), so it rests on explicit consent here.
        categories.append("health data")
        lawful_basis = "consent"
        purpose = "handle a sick-leave notice"

    recipient: str | None = None
    if action in ("email.read", "calendar.read", "contacts.read", "document.read"):
        recipient = LLM_PROVIDER
    elif action in ("email.sent", "calendar.event_created") and rng.random() < 0.3:
        recipient = org.subject()

    entry: dict[str, Any] = {
        "subjectId": subject,
        "categories": categories,
        "purpose": purpose,
        "lawfulBasis": lawful_basis,
    }
    if recipient and recipient != subject:
        entry["recipient"] = recipient
    if action in _SOURCES:
        entry["source"] = _SOURCES[action]
    personal_data = [entry]
    if action == "email.received" and rng.random() < 0.2:
        carbon_copy = org.subject()
        if carbon_copy != subject:
            personal_data.append(
                {
                    "subjectId": carbon_copy,
                    "categories": ["contact details"],
                    "purpose": purpose,
                    "lawfulBasis": lawful_basis,
                    "source": _SOURCES[action],
                }
            )

    if target is None:
        target = {"type": _TARGET_TYPES[family], "id": f"{family[:3]}-{rng.getrandbits(48):012x}"}
        if family == "document":
            target["name"] = rng.choice(_DOCUMENT_NAMES)
    outcome = "failure" if action == "email.sent" and rng.random() < 0.015 else "success"
    details = {"attachments": rng.choice((0, 0, 0, 1, 2))} if family == "email" else {}
    event = _event(
        "agent_activity",
        action,
        outcome,
        agent.actor(),
        agent_id=agent.id,
        target=target,
        personal_data=personal_data,
        details=details,
    )
    return event, subject


def _dlp_event(
    org: _OrgTrail,
    agent: _Agent,
    subject: str,
    target: dict[str, Any],
    combination: tuple[str, str] | None,
) -> dict[str, Any]:
    rng = org.rng
    rule = _DLP_RULE.pick(rng)
    if combination is None:
        severity = _SEVERITY.pick(rng)
        action_taken = _DLP_ACTION.pick(rng)
    else:
        severity, action_taken = combination
    personal_data = []
    if rule.category:
        personal_data.append(
            {
                "subjectId": subject,
                "categories": [rule.category],
                "purpose": agent.kind.purpose,
                "source": "outgoing message",
            }
        )
    dlp = {
        "ruleId": rule.rule_id,
        "ruleName": rule.name,
        "severity": severity,
        "actionTaken": action_taken,
        "dataTypes": list(rule.data_types),
    }
    return _event(
        "dlp",
        "dlp.violation",
        _DLP_OUTCOMES[action_taken],
        agent.actor(),
        agent_id=agent.id,
        target=target,
        personal_data=personal_data,
        dlp=dlp,
        details={"matches": rng.randint(1, 4), "direction": "outbound"},
    )


# --- access: logins, bursts, API requests ---------------------------------------------------------


def _login_event(user: _User, outcome: str, *, action: str = "auth.login") -> dict[str, Any]:
    details = {"method": "password+totp"} if action == "auth.login" else {}
    return _event(
        "access",
        action,
        outcome,
        user.actor(),
        source={"ip": user.ip, "userAgent": user.browser},
        details=details,
    )


def _add_logins(org: _OrgTrail, active: dict[str, tuple[_User, int, int]]) -> None:
    """Add daily logins and logouts, with an occasional single mistyped password."""
    rng = org.rng
    # A user has at most two failures a day, both during working hours (07:00 to 19:00 UTC), so
    # these never add up to a burst. None fall on a scripted burst's day, which keeps that
    # burst at its exact length.
    burst_days = {(burst.actor_id, org.day(burst.day_fraction)) for burst in org.profile.bursts}
    for user, since, until in active.values():
        for day_index in range(org.days):
            chance = 0.12 if org.is_weekend(day_index) else 0.92
            sessions = 0
            if rng.random() < chance:
                sessions = 2 if rng.random() < 0.35 else 1
            for _ in range(sessions):
                millis = org.working_time(day_index)
                if not since <= millis < until:
                    continue
                if rng.random() < 0.05 and (user.id, day_index) not in burst_days:
                    org.add(
                        millis - rng.randrange(10, 60) * _SECOND,
                        _login_event(user, "failure"),
                        form="login",
                    )
                org.add(millis, _login_event(user, "success"), form="login")
                logout = millis + rng.randrange(_HOUR, 6 * _HOUR)
                if rng.random() < 0.45 and logout < until:
                    org.add(
                        logout, _login_event(user, "success", action="auth.logout"), form="login"
                    )


def _add_bursts(org: _OrgTrail) -> None:
    """Add the scripted runs of failed logins, then what follows each one."""
    rng = org.rng
    users = {user.id: user for user in org.profile.users}
    for burst in org.profile.bursts:
        day_index = org.day(burst.day_fraction)
        millis = org.at(day_index, burst.hour, burst.minute, rng.randrange(60))
        known = users.get(burst.actor_id)
        actor = known.actor() if known else {"type": "user", "id": burst.actor_id}
        source = {"ip": burst.ip, "userAgent": _ATTACK_CLIENT}
        for _ in range(burst.failures):
            org.add(
                millis,
                _event(
                    "access",
                    "auth.login",
                    "failure",
                    actor,
                    source=source,
                    details={"method": "password"},
                ),
            )
            millis += rng.randrange(25, 76) * _SECOND

        if known and burst.locks_account:
            lockout = {"type": "system", "id": "idp-lockout-policy", "name": "Account lockout"}
            org.add(
                millis, _account_change_draft(org, lockout, known, 9), form="account", activity_id=9
            )
            reset_at = org.at(day_index + 1, 8, 5)
            org.add(
                reset_at, _account_change_draft(org, known, known, 4), form="account", activity_id=4
            )
            org.add(reset_at + 3 * _MINUTE, _login_event(known, "success"))


_API_ROUTE: Final = _Weighted(
    [
        (("GET", "/v1/agents"), 30),
        (("GET", "/v1/agents/{id}"), 20),
        (("PATCH", "/v1/agents/{id}"), 8),
        (("GET", "/v1/audit/events"), 15),
        (("GET", "/v1/reports"), 12),
        (("POST", "/v1/reports"), 6),
        (("PUT", "/v1/policies/{id}"), 4),
        (("DELETE", "/v1/agents/{id}"), 2),
    ]
)


def _add_api_requests(org: _OrgTrail) -> None:
    rng = org.rng
    profile = org.profile
    key_actor = {"type": "api_key", "id": profile.api_key_id, "name": "Deployment pipeline"}
    key_source = {"ip": profile.api_key_ip, "userAgent": _API_CLIENT}
    for day_index in range(org.days):
        factor = 0.2 if org.is_weekend(day_index) else 1.0
        count = round(profile.api_weekday_rate * factor * rng.uniform(0.7, 1.3))
        for _ in range(count):
            method, route = _API_ROUTE.pick(rng)
            if rng.random() < 0.6:
                actor, source = key_actor, key_source
            else:
                user = rng.choice(profile.users)
                actor, source = user.actor(), {"ip": user.ip, "userAgent": _API_CLIENT}
            denied = rng.random() < 0.04
            if denied:
                status = 403
            elif method == "POST":
                status = 201
            else:
                status = 200
            target = {"type": "api_route", "id": f"{method} {route}"}
            org.add(
                org.working_time(day_index),
                _event(
                    "access",
                    "api.request",
                    "denied" if denied else "success",
                    actor,
                    target=target,
                    source=source,
                    details={"method": method, "route": route, "statusCode": status},
                ),
            )


# --- OCSF: identity-provider events ---------------------------------------------------------------


def _add_identity_provider_changes(
    org: _OrgTrail, active: dict[str, tuple[_User, int, int]]
) -> None:
    """Add account changes that only the identity provider reports: MFA, passwords, policies."""
    rng = org.rng
    for user, since, until in active.values():
        if rng.random() < 0.6:
            millis = max(since, org.at(rng.randrange(0, 10), 9)) + rng.randrange(8 * _HOUR)
            if millis < until:
                org.add(
                    millis,
                    _account_change_draft(org, user, user, 10),
                    form="account",
                    activity_id=10,
                )
        for day_index in range(org.days):
            millis = org.working_time(day_index)
            if rng.random() < 0.01 and since <= millis < until:
                org.add(
                    millis, _account_change_draft(org, user, user, 3), form="account", activity_id=3
                )

    admin = _admins(org)[0]
    member = next(user for user in org.profile.users if not user.admin)
    org.add(
        org.at(org.day(0.15), 13, 30),
        _account_change_draft(org, admin, member, 7),
        form="account",
        activity_id=7,
        policy="ReportsReadOnly",
    )


def _account_change_draft(
    org: _OrgTrail, actor: _User | dict[str, Any], user: _User, activity_id: int
) -> dict[str, Any]:
    """Keep the parts of an OCSF 3001 event that `_to_account_change` needs."""
    actor_fields = actor.actor() if isinstance(actor, _User) else actor
    source = {"ip": actor.ip, "userAgent": actor.browser} if isinstance(actor, _User) else {}
    return _event(
        "admin",
        f"ocsf.account_change_{activity_id}",
        "success",
        actor_fields,
        target=user.target() | {"email": user.email},
        source=source,
    )


_ACCOUNT_CHANGE_NAMES: Final = {
    3: "Password Change",
    4: "Password Reset",
    5: "Disable",
    7: "Attach Policy",
    9: "Lock",
    10: "MFA Factor Enable",
}


def _ocsf_header(
    class_uid: int,
    class_name: str,
    activity_id: int,
    activity_name: str,
    event_id: str,
    millis: int,
    success: bool,
) -> dict[str, Any]:
    return {
        "activity_id": activity_id,
        "activity_name": activity_name,
        "category_uid": 3,
        "category_name": "Identity & Access Management",
        "class_uid": class_uid,
        "class_name": class_name,
        "type_uid": class_uid * 100 + activity_id,
        "type_name": f"{class_name}: {activity_name}",
        "severity_id": 1 if success else 2,
        "severity": "Informational" if success else "Low",
        "status_id": 1 if success else 2,
        "status": "Success" if success else "Failure",
        "time": millis,
        "time_dt": _iso(millis),
        "metadata": {
            "uid": event_id,
            "version": OCSF_VERSION,
            "product": {"name": "Agent Platform Identity", "vendor_name": "Agent Platform"},
            "profiles": ["datetime"],
        },
    }


def _ocsf_user(actor: dict[str, Any]) -> dict[str, Any]:
    user: dict[str, Any] = {"uid": actor["id"]}
    if actor.get("name"):
        user["name"] = actor["name"]
    if actor.get("email"):
        user["email_addr"] = actor["email"]
    if actor["type"] == "system":
        user |= {"type": "System", "type_id": 3}
    else:
        user |= {"type": "User", "type_id": 1}
    return user


def _ocsf_endpoints(source: dict[str, Any]) -> dict[str, Any]:
    endpoints: dict[str, Any] = {}
    if source.get("ip"):
        endpoints["src_endpoint"] = {"ip": source["ip"]}
    if source.get("userAgent"):
        endpoints["http_request"] = {"user_agent": source["userAgent"]}
    return endpoints


def _to_authentication(draft: _Draft, event_id: str) -> dict[str, Any]:
    event = draft.event
    logon = event["action"] == "auth.login"
    success = event["outcome"] == "success"
    ocsf = _ocsf_header(
        3002,
        "Authentication",
        1 if logon else 2,
        "Logon" if logon else "Logoff",
        event_id,
        draft.millis,
        success,
    )
    ocsf["actor"] = {"user": _ocsf_user(event["actor"])}
    ocsf["user"] = _ocsf_user(event["actor"])
    ocsf["service"] = {"name": "Agent Platform console"}
    ocsf |= _ocsf_endpoints(event["source"])
    if logon:
        ocsf["is_mfa"] = success
    if not success:
        ocsf["status_detail"] = "INVALID_CREDENTIALS"
    return ocsf


def _to_account_change(draft: _Draft, event_id: str) -> dict[str, Any]:
    event = draft.event
    name = _ACCOUNT_CHANGE_NAMES[draft.activity_id]
    ocsf = _ocsf_header(
        3001, "Account Change", draft.activity_id, name, event_id, draft.millis, True
    )
    ocsf["actor"] = {"user": _ocsf_user(event["actor"])}
    target = event["target"]
    ocsf["user"] = {"uid": target["id"], "name": target["name"], "email_addr": target["email"]}
    ocsf |= _ocsf_endpoints(event["source"])
    if draft.policy:
        ocsf["policy"] = {"name": draft.policy}
    return ocsf


# --- ids, the time cap and the OCSF share ---------------------------------------------------------


def _finish(org: _OrgTrail, now_millis: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Drop events after now, number the rest in time order and split native from OCSF."""
    end = org.start + org.days * _DAY
    drafts = sorted(
        (draft for draft in org.drafts if org.start <= draft.millis < min(end, now_millis + 1)),
        key=lambda draft: (draft.millis, draft.sequence),
    )
    as_ocsf = _pick_ocsf_logins(org, drafts)

    org_id = org.profile.org_id
    native: list[dict[str, Any]] = []
    ocsf: list[dict[str, Any]] = []
    for number, draft in enumerate(drafts, start=1):
        event_id = f"evt-{org_id}-{number:06d}"
        if draft.form == "account":
            ocsf.append(_to_account_change(draft, event_id))
        elif draft.sequence in as_ocsf:
            ocsf.append(_to_authentication(draft, event_id))
        else:
            native.append(
                {"eventId": event_id, "orgId": org_id, "occurredAt": _iso(draft.millis)}
                | draft.event
            )
    return native, ocsf


def _pick_ocsf_logins(org: _OrgTrail, drafts: Sequence[_Draft]) -> set[int]:
    """Choose logins and logouts to send as OCSF, so that OCSF is about 5% of access and admin."""
    access_and_admin = sum(1 for draft in drafts if draft.event["category"] in ("access", "admin"))
    accounts = sum(1 for draft in drafts if draft.form == "account")
    candidates = [draft.sequence for draft in drafts if draft.form == "login"]
    count = max(0, min(len(candidates), round(OCSF_SHARE * access_and_admin) - accounts))
    return set(org.rng.sample(candidates, count))
