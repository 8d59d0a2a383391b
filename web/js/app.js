// Entry point: load config.json, sign in, then show the Generate and Reports tabs.

import { createApi, requestLocalToken } from "./api.js";
import {
  beginSignIn,
  clearSession,
  completeSignIn,
  currentSession,
  decodeClaims,
  discover,
  isSignInCallback,
  loadConfig,
  signOutAtProvider,
  storeSession,
  tokenExpiry,
} from "./auth.js";
import { GenerateForm } from "./generate.js";
import { ReportsView } from "./reports.js";
import { ShareDialog } from "./share.js";
import { Tabs } from "./tabs.js";

// A message shown after the page reloads, such as why the session ended.
const NOTICE_KEY = "compliance-reports.notice";
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
// Claim names of the local stack's tokens and of the CDK stack's defaults. A config.json may
// override them with "auth": {"claims": {"org", "role", "email"}}.
const DEFAULT_CLAIMS = { org: "org_id", role: "role", email: "email" };

const byId = (id) => document.getElementById(id);
const appStatus = byId("app-status");

function showAppStatus(text, { isError = false } = {}) {
  appStatus.textContent = text;
  appStatus.classList.toggle("is-error", isError);
}

/** End the session and reload the page, which then shows the sign-in with `notice`. */
let ending = false;
function endSession(notice) {
  if (ending) {
    return;
  }
  ending = true;
  clearSession();
  sessionStorage.setItem(NOTICE_KEY, notice);
  location.reload();
}

async function main() {
  const notice = sessionStorage.getItem(NOTICE_KEY) ?? "";
  sessionStorage.removeItem(NOTICE_KEY);

  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    showAppStatus(error.message, { isError: true });
    return;
  }
  // Without config.json the API is this page's own origin (the local stack's gateway).
  const apiBase = config?.apiUrl ?? "";
  const auth = config?.auth?.issuer ? config.auth : null;

  if (!auth) {
    const session = currentSession();
    if (session) {
      await startWorkspace({ session, apiBase, auth, metadata: null, focusTab: false });
    } else {
      showAppStatus(notice, { isError: Boolean(notice) });
      showLocalSignIn(apiBase);
    }
    return;
  }

  let metadata = null;
  let session = null;
  let returning = false;
  try {
    metadata = await discover(auth.issuer);
    returning = isSignInCallback();
    session = returning ? await completeSignIn(auth, metadata) : currentSession();
  } catch (error) {
    showAppStatus(error.message, { isError: true });
    showProviderSignIn(auth, metadata);
    return;
  }
  if (session) {
    await startWorkspace({ session, apiBase, auth, metadata, focusTab: returning });
  } else {
    showAppStatus(notice, { isError: Boolean(notice) });
    showProviderSignIn(auth, metadata);
  }
}

function showProviderSignIn(auth, metadata) {
  byId("sign-in-oidc").hidden = false;
  byId("sign-in-oidc-issuer").textContent = new URL(auth.issuer).host;
  byId("sign-in-oidc-button").addEventListener("click", () => {
    // Without discovery metadata there is no sign-in page to go to, so a reload retries discovery.
    if (metadata) {
      beginSignIn(auth, metadata);
    } else {
      location.reload();
    }
  });
}

function showLocalSignIn(apiBase) {
  const section = byId("sign-in");
  const form = byId("sign-in-form");
  const org = byId("sign-in-org");
  const orgError = byId("sign-in-org-error");
  const status = byId("sign-in-status");
  const button = form.querySelector('button[type="submit"]');
  section.hidden = false;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const orgId = org.value.trim();
    orgError.textContent = "";
    org.removeAttribute("aria-invalid");
    if (!orgId || CONTROL_CHARACTERS.test(orgId)) {
      orgError.textContent = orgId
        ? "The organisation id contains a control character such as a line break; remove it."
        : "Enter an organisation id, for example org-acme.";
      org.setAttribute("aria-invalid", "true");
      org.focus();
      return;
    }

    button.disabled = true;
    status.classList.remove("is-error");
    status.textContent = "Signing in…";
    let token;
    try {
      token = await requestLocalToken(apiBase, {
        orgId,
        role: form.elements.role.value,
        user: byId("sign-in-user").value.trim(),
      });
    } catch (error) {
      status.classList.add("is-error");
      status.textContent = `Sign-in failed: ${error.message}`;
      button.disabled = false;
      return;
    }
    const session = { mode: "local", token, expiresAt: tokenExpiry(token) };
    storeSession(session);
    section.hidden = true;
    status.textContent = "";
    button.disabled = false;
    await startWorkspace({ session, apiBase, auth: null, metadata: null, focusTab: true });
  });
}

function sessionLabel(token, auth) {
  const names = { ...DEFAULT_CLAIMS, ...(auth?.claims ?? {}) };
  const claims = decodeClaims(token);
  return [claims[names.email], claims[names.org], claims[names.role]].filter(Boolean).join(" · ");
}

/**
 * Find out what the signed-in user may do. `GET /compliance/settings` is allowed for admins
 * only, the same role that may generate, retry and share, and it carries the org's time zone
 * in which the API reads report dates.
 */
async function readPermissions(api, session, auth) {
  try {
    const settings = await api.getSettings();
    return { isAdmin: true, timeZone: settings.timezone || "UTC", warning: "" };
  } catch (error) {
    if (error.status === 403) {
      return { isAdmin: false, timeZone: "UTC", warning: "" };
    }
    const names = { ...DEFAULT_CLAIMS, ...(auth?.claims ?? {}) };
    return {
      isAdmin: decodeClaims(session.token)[names.role] === "admin",
      timeZone: "UTC",
      warning: `The organisation's settings could not be read (${error.message}), so dates are checked against UTC.`,
    };
  }
}

/** Show the tabs; `focusTab` moves focus to the first tab, right after the user signed in. */
async function startWorkspace({ session, apiBase, auth, metadata, focusTab }) {
  const api = createApi({
    baseUrl: apiBase,
    getToken: () => currentSession()?.token ?? null,
    onUnauthorized: () => endSession("Your session has expired or the API rejected it; sign in again."),
  });

  showAppStatus("Loading…");
  const { isAdmin, timeZone, warning } = await readPermissions(api, session, auth);
  if (ending) {
    return;
  }
  showAppStatus(warning, { isError: Boolean(warning) });

  byId("session-label").textContent = sessionLabel(session.token, auth);
  byId("session").hidden = false;
  byId("sign-out").addEventListener("click", () => {
    if (!signOutAtProvider(auth, metadata, currentSession())) {
      location.reload();
    }
  });

  const shareDialog = new ShareDialog({ api });
  const reports = new ReportsView({ api, isAdmin, onShare: (record, opener) => shareDialog.open(record, opener) });
  const tabs = new Tabs(document.querySelector('#workspace [role="tablist"]'));
  byId("workspace").hidden = false;

  if (isAdmin) {
    const form = new GenerateForm({
      api,
      timeZone,
      onCreated: (record) => reports.upsert(record),
      onShowReports: () => tabs.selectById("tab-reports", { focus: true }),
    });
    form.loadAgents();
    tabs.selectById("tab-generate", { focus: focusTab });
  } else {
    // Without the admin role the Generate tab and its form are removed, not just hidden.
    byId("tab-generate").remove();
    byId("panel-generate").remove();
    byId("read-only-note").hidden = false;
    tabs.selectById("tab-reports", { focus: focusTab });
  }
  await reports.reload();
}

main();
