// Sign-in. Without config.json (the local stack) the page signs in at the local stack's
// `POST /local/token`. With a config.json whose auth has an issuer (AWS), it runs the OAuth 2.0
// authorization code flow with PKCE (S256) against that OpenID Connect provider. Tokens live in
// sessionStorage only, so they end with the browser tab and are never written to disk by the page.

const SESSION_KEY = "compliance-reports.session";
const PENDING_KEY = "compliance-reports.pending-sign-in";
const DEFAULT_SCOPE = "openid email profile";
// A token this close to its expiry is treated as expired, so a request does not fail mid-way.
const EXPIRY_MARGIN_MS = 30_000;

export class ConfigError extends Error {}

/**
 * Load `config.json` beside index.html. Returns null when the file is absent (HTTP 404), which
 * means the page is served by the local stack and talks to its own origin.
 */
export async function loadConfig() {
  const response = await fetch("config.json", { cache: "no-store", headers: { Accept: "application/json" } });
  if (response.status === 404) {
    return null;
  }
  if (!response.ok) {
    throw new ConfigError(`config.json could not be loaded: HTTP ${response.status}.`);
  }
  let config;
  try {
    config = await response.json();
  } catch (error) {
    throw new ConfigError(`config.json is not valid JSON (${error.message}).`);
  }
  if (typeof config?.apiUrl !== "string" || !config.apiUrl) {
    throw new ConfigError('config.json has no "apiUrl"; the deployment must write the API URL into it.');
  }
  return config;
}

/** Return the stored session `{token, idToken?, expiresAt, mode}`, or null when there is none or it expired. */
export function currentSession() {
  let session;
  try {
    session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null");
  } catch {
    session = null;
  }
  if (!session || typeof session.token !== "string") {
    return null;
  }
  if (session.expiresAt && session.expiresAt - EXPIRY_MARGIN_MS < Date.now()) {
    clearSession();
    return null;
  }
  return session;
}

export function storeSession(session) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

/**
 * Decode a JWT's payload without verifying it. The page uses the claims only to label the
 * session, and the API verifies every token it receives.
 */
export function decodeClaims(token) {
  try {
    const payload = token.split(".")[1];
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

/** Return the expiry of a JWT in epoch milliseconds, or null when it has no `exp` claim. */
export function tokenExpiry(token) {
  const { exp } = decodeClaims(token);
  return Number.isFinite(exp) ? exp * 1000 : null;
}

// OpenID Connect with PKCE

function base64Url(bytes) {
  let binary = "";
  for (const byte of bytes) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomToken(byteCount = 32) {
  return base64Url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

async function s256(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/** Return the redirect URI registered at the identity provider: this page without query or fragment. */
export function redirectUri() {
  return `${location.origin}${location.pathname}`;
}

/** Fetch the provider's endpoints from `<issuer>/.well-known/openid-configuration`. */
export async function discover(issuer) {
  const base = issuer.replace(/\/+$/, "");
  const url = `${base}/.well-known/openid-configuration`;
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" } });
  } catch (error) {
    throw new ConfigError(`The identity provider's discovery document at ${url} could not be reached (${error.message}).`);
  }
  if (!response.ok) {
    throw new ConfigError(`The identity provider's discovery document at ${url} returned HTTP ${response.status}.`);
  }
  const metadata = await response.json();
  // OpenID Connect Discovery 1.0, section 4.3: the document's issuer must be the configured one.
  if (typeof metadata.issuer !== "string" || metadata.issuer.replace(/\/+$/, "") !== base) {
    throw new ConfigError(`The discovery document names issuer ${metadata.issuer}, not the configured ${issuer}.`);
  }
  if (!metadata.authorization_endpoint || !metadata.token_endpoint) {
    throw new ConfigError("The discovery document has no authorization_endpoint or token_endpoint.");
  }
  return metadata;
}

/** Send the browser to the provider's sign-in page. Returns only if the redirect fails to start. */
export async function beginSignIn(auth, metadata) {
  const verifier = randomToken(48);
  const state = randomToken();
  const nonce = randomToken();
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, nonce }));

  const parameters = new URLSearchParams({
    response_type: "code",
    client_id: auth.clientId,
    redirect_uri: redirectUri(),
    scope: auth.scope ?? DEFAULT_SCOPE,
    state,
    nonce,
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
  });
  // Providers such as Auth0 issue a JWT access token only for a requested API audience, and
  // others ignore the parameter. It is sent only when the API's audience is not the client id.
  const audience = apiAudience(auth);
  if (audience && audience !== auth.clientId) {
    parameters.set("audience", audience);
  }
  location.assign(`${metadata.authorization_endpoint}?${parameters}`);
}

function apiAudience(auth) {
  return Array.isArray(auth.audience) ? auth.audience[0] : auth.audience;
}

/** Return true when the page was loaded as the provider's redirect back after sign-in. */
export function isSignInCallback() {
  const query = new URLSearchParams(location.search);
  return sessionStorage.getItem(PENDING_KEY) !== null && (query.has("code") || query.has("error"));
}

/**
 * Finish the code flow: check `state`, exchange the code with the PKCE verifier, check the ID
 * token's issuer, audience and nonce, store the session and remove the code from the address bar.
 */
export async function completeSignIn(auth, metadata) {
  const query = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null");
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, "", redirectUri());

  if (query.has("error")) {
    const description = query.get("error_description") ?? query.get("error");
    throw new ConfigError(`The identity provider rejected the sign-in: ${description}.`);
  }
  if (!pending || query.get("state") !== pending.state) {
    throw new ConfigError("The sign-in response does not match the request this tab sent (state mismatch); sign in again.");
  }

  const response = await fetch(metadata.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: query.get("code"),
      redirect_uri: redirectUri(),
      client_id: auth.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const tokens = await response.json().catch(() => ({}));
  if (!response.ok) {
    const reason = tokens.error_description ?? tokens.error ?? `HTTP ${response.status}`;
    throw new ConfigError(`The identity provider did not issue a token: ${reason}.`);
  }

  // The ID token comes straight from the token endpoint over TLS, so the page does not check its
  // signature (OpenID Connect Core 1.0, section 3.1.3.7). The API verifies the token it receives.
  const idClaims = tokens.id_token ? decodeClaims(tokens.id_token) : {};
  if (tokens.id_token) {
    const audiences = Array.isArray(idClaims.aud) ? idClaims.aud : [idClaims.aud];
    if (idClaims.nonce !== pending.nonce || !audiences.includes(auth.clientId)) {
      throw new ConfigError("The ID token's nonce or audience does not match this sign-in; sign in again.");
    }
  }
  // The API's JWT authorizer needs a JWT: the access token when the provider issues one,
  // else the ID token, whose audience is the client id.
  const isJwt = typeof tokens.access_token === "string" && tokens.access_token.split(".").length === 3;
  const token = isJwt ? tokens.access_token : tokens.id_token;
  if (!token) {
    throw new ConfigError("The identity provider returned neither a JWT access token nor an ID token.");
  }
  const expiresIn = Number(tokens.expires_in);
  const session = {
    mode: "oidc",
    token,
    idToken: tokens.id_token ?? null,
    expiresAt: tokenExpiry(token) ?? (Number.isFinite(expiresIn) ? Date.now() + expiresIn * 1000 : null),
  };
  storeSession(session);
  return session;
}

/** Clear the session and, when the provider supports it, end its session too. */
export function signOutAtProvider(auth, metadata, session) {
  clearSession();
  if (!metadata?.end_session_endpoint) {
    return false;
  }
  const parameters = new URLSearchParams({ client_id: auth.clientId, post_logout_redirect_uri: redirectUri() });
  if (session?.idToken) {
    parameters.set("id_token_hint", session.idToken);
  }
  location.assign(`${metadata.end_session_endpoint}?${parameters}`);
  return true;
}
