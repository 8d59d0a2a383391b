// The Compliance Reports API client. Every request carries the bearer token. Failed requests
// throw ApiError, with the code, message and field of the API's `{"error": {...}}` body when
// the response has one.

export class ApiError extends Error {
  constructor(status, message, { code = "", field = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/**
 * Create an API client.
 *
 * @param {object} options
 * @param {string} options.baseUrl API root: "" for the page's own origin, else an absolute URL.
 * @param {() => string | null} options.getToken the current bearer token.
 * @param {(error: ApiError) => void} options.onUnauthorized called on a 401, before it is thrown.
 */
export function createApi({ baseUrl, getToken, onUnauthorized }) {
  const root = baseUrl.replace(/\/+$/, "");

  async function request(method, path, { body, query, headers } = {}) {
    let url = `${root}${path}`;
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== "") {
        search.set(name, String(value));
      }
    }
    if ([...search].length > 0) {
      url += `?${search}`;
    }

    const requestHeaders = { Accept: "application/json", ...headers };
    const token = getToken();
    if (token) {
      requestHeaders.Authorization = `Bearer ${token}`;
    }
    if (body !== undefined) {
      requestHeaders["Content-Type"] = "application/json";
    }

    let response;
    try {
      response = await fetch(url, {
        method,
        headers: requestHeaders,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch (error) {
      throw new ApiError(0, `The API at ${root || location.origin} could not be reached (${error.message}). Check your connection and try again.`);
    }

    const payload = await readJson(response);
    if (response.ok) {
      return payload;
    }
    const error = errorFromResponse(method, path, response, payload);
    if (response.status === 401 && onUnauthorized) {
      onUnauthorized(error);
    }
    throw error;
  }

  const reportPath = (reportId) => `/compliance/reports/${encodeURIComponent(reportId)}`;

  return {
    listReports: ({ limit, cursor } = {}) => request("GET", "/compliance/reports", { query: { limit, cursor } }),
    getReport: (reportId) => request("GET", reportPath(reportId)),
    createReport: (type, body) => request("POST", `/compliance/reports/${type}`, { body }),
    // The JSON form of the download route: a page cannot put a bearer token on a navigation.
    downloadLink: (reportId, format) =>
      request("GET", `${reportPath(reportId)}/download`, { query: { format } }),
    retryReport: (reportId) => request("POST", `${reportPath(reportId)}/retry`),
    createShare: (reportId, body) => request("POST", `${reportPath(reportId)}/shares`, { body }),
    listAgents: () => request("GET", "/compliance/agents"),
    getSettings: () => request("GET", "/compliance/settings"),
  };
}

/** Exchange an org and role for a token at the local stack's sign-in route. */
export async function requestLocalToken(baseUrl, { orgId, role, user }) {
  const root = baseUrl.replace(/\/+$/, "");
  let response;
  try {
    response = await fetch(`${root}/local/token`, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(user ? { orgId, role, user } : { orgId, role }),
      cache: "no-store",
    });
  } catch (error) {
    throw new ApiError(0, `The local stack could not be reached (${error.message}); is compliance-local serve running?`);
  }
  const payload = await readJson(response);
  if (!response.ok || typeof payload?.token !== "string") {
    throw errorFromResponse("POST", "/local/token", response, payload);
  }
  return payload.token;
}

async function readJson(response) {
  const text = await response.text();
  if (!text) {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function errorFromResponse(method, path, response, payload) {
  const detail = payload?.error;
  if (detail && typeof detail.message === "string") {
    return new ApiError(response.status, detail.message, { code: detail.code ?? "", field: detail.field ?? null });
  }
  // Routes the API does not have (404, 405) and gateway errors carry only a status.
  const reason = typeof payload?.message === "string" ? payload.message : response.statusText;
  const statusText = reason ? `HTTP ${response.status} ${reason}` : `HTTP ${response.status}`;
  if (response.status === 404 || response.status === 405) {
    return new ApiError(response.status, `The API does not offer ${method} ${path} (${statusText}); it may be older than this page.`);
  }
  return new ApiError(response.status, `${method} ${path} failed with ${statusText}.`);
}
