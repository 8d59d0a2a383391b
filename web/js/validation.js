// Request rules of the report routes, checked in the browser before a request is sent. They
// mirror compliance_reports/domain/periods.py (resolve_period) and the request models, so a
// request that passes here fails on the server only for facts the page cannot see, such as an
// agent removed since the picker loaded. Dates are ISO calendar dates (YYYY-MM-DD).

export const MAX_SPAN_DAYS = 366;
export const DEFAULT_SPAN_DAYS = 30;
export const MAX_AGENT_IDS = 100;
export const MAX_ID_LENGTH = 256;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const DAY_MS = 86_400_000;

/** Return the UTC epoch milliseconds of an ISO date, or null for text that is no real date. */
export function parseIsoDate(text) {
  const match = ISO_DATE.exec(text ?? "");
  if (!match) {
    return null;
  }
  const [year, month, day] = match.slice(1).map(Number);
  const epoch = Date.UTC(year, month - 1, day);
  const check = new Date(epoch);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return null;
  }
  return epoch;
}

/** Add `days` (may be negative) to an ISO date. */
export function addDays(isoDate, days) {
  const epoch = parseIsoDate(isoDate);
  if (epoch === null) {
    throw new RangeError(`'${isoDate}' is not a date in the form YYYY-MM-DD`);
  }
  return new Date(epoch + days * DAY_MS).toISOString().slice(0, 10);
}

/** Count the days from `from` to `to`, both included: the same date gives 1. */
export function spanDays(from, to) {
  return Math.round((parseIsoDate(to) - parseIsoDate(from)) / DAY_MS) + 1;
}

/** Return today's date in an IANA time zone, as the server computes it for that zone. */
export function todayIn(timeZone, now = new Date()) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(now);
  const value = (type) => parts.find((part) => part.type === type).value;
  return `${value("year")}-${value("month")}-${value("day")}`;
}

/** Return the period the server uses when a SOC2 or audit request has no dates. */
export function defaultPeriod(today) {
  return { from: addDays(today, -(DEFAULT_SPAN_DAYS - 1)), to: today };
}

/**
 * Check a report request and return its errors, each `{field, message}` with the field named as
 * the API names it (`dateRange.from`, `dateRange.to`, `dateRange`, `agentId`, `agentIds`,
 * `subjectId`). Like the API, only the first failing date rule is reported.
 *
 * @param {object} request `{type, from, to, agentId, agentIds, subjectId}`. `from` and `to` are
 *   ISO dates, "" when empty, or null when the date input contains an incomplete date.
 * @param {object} context `{today, timeZone}`: today's date in the zone the server applies.
 */
export function validateReportRequest(request, { today, timeZone }) {
  const errors = [];
  const periodError = validatePeriod(request, today, timeZone);
  if (periodError) {
    errors.push(periodError);
  }

  if (request.type === "gdpr") {
    if (!request.agentId) {
      errors.push({ field: "agentId", message: "Choose an agent: a GDPR export covers exactly one agent." });
    }
    const subjectError = validateIdentifier(request.subjectId ?? "", "subjectId", "The data subject id");
    if (subjectError) {
      errors.push(subjectError);
    }
  } else if ((request.agentIds ?? []).length > MAX_AGENT_IDS) {
    errors.push({
      field: "agentIds",
      message: `${request.agentIds.length} agents are ticked; the maximum is ${MAX_AGENT_IDS}. Untick all to include every agent.`,
    });
  }
  return errors;
}

function validatePeriod({ type, from, to }, today, timeZone) {
  if (from === null) {
    return { field: "dateRange.from", message: "From is not a complete date; enter day, month and year." };
  }
  if (to === null) {
    return { field: "dateRange.to", message: "To is not a complete date; enter day, month and year." };
  }

  const whenEmpty = type === "gdpr" ? "all retained events" : `the last ${DEFAULT_SPAN_DAYS} days`;
  if (!from && !to) {
    return null;
  }
  if (!from || !to) {
    const missing = from ? "To" : "From";
    return {
      field: from ? "dateRange.to" : "dateRange.from",
      message: `${missing} is missing; give both dates, or leave both empty for ${whenEmpty}.`,
    };
  }

  if (parseIsoDate(from) === null) {
    return { field: "dateRange.from", message: `From (${from}) is not a date; enter it as YYYY-MM-DD.` };
  }
  if (parseIsoDate(to) === null) {
    return { field: "dateRange.to", message: `To (${to}) is not a date; enter it as YYYY-MM-DD.` };
  }
  if (from > to) {
    return {
      field: "dateRange.from",
      message: `From (${from}) is after To (${to}); pick a From on or before To.`,
    };
  }

  const span = spanDays(from, to);
  if (span > MAX_SPAN_DAYS) {
    return {
      field: "dateRange",
      message: `The period covers ${span} days counting both ends; the maximum is ${MAX_SPAN_DAYS}, so split it into several reports.`,
    };
  }
  if (to > today) {
    return {
      field: "dateRange.to",
      message: `To (${to}) is after today (${today} in ${timeZone}); pick today or an earlier date.`,
    };
  }
  return null;
}

function validateIdentifier(value, field, label) {
  if (!value) {
    return null;
  }
  // The API counts code points, as Python's len() does, but String.length counts UTF-16 units.
  const length = [...value].length;
  if (length > MAX_ID_LENGTH) {
    return { field, message: `${label} has ${length} characters; the maximum is ${MAX_ID_LENGTH}.` };
  }
  if (CONTROL_CHARACTERS.test(value)) {
    return { field, message: `${label} contains a control character such as a line break; remove it.` };
  }
  return null;
}
