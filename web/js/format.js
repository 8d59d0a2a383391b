// Display helpers: times in the reader's local time zone with the UTC value beside them, and
// small DOM builders that set text with textContent so that no API value is parsed as HTML.

const LOCAL_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** Create an element with optional class and text. */
export function element(tag, { className, text, attributes } = {}) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  for (const [name, value] of Object.entries(attributes ?? {})) {
    node.setAttribute(name, value);
  }
  return node;
}

/** Format an ISO timestamp as UTC, for example "2026-03-01 10:00:00 UTC". */
export function formatUtc(isoTimestamp) {
  const instant = new Date(isoTimestamp);
  return `${instant.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Format an ISO timestamp in the reader's time zone and locale. */
export function formatLocal(isoTimestamp) {
  return LOCAL_TIME.format(new Date(isoTimestamp));
}

/**
 * Build a focusable `<time>` showing local time. Its UTC value is a tooltip that shows on hover
 * and on keyboard focus, and screen readers read it after the local time.
 */
export function timeElement(isoTimestamp) {
  if (!isoTimestamp || Number.isNaN(Date.parse(isoTimestamp))) {
    return element("span", { text: "—" });
  }
  const utc = formatUtc(isoTimestamp);
  const node = element("time", {
    className: "time",
    attributes: { datetime: new Date(isoTimestamp).toISOString(), tabindex: "0" },
  });
  node.append(
    element("span", { text: formatLocal(isoTimestamp) }),
    element("span", { className: "time-utc", text: ` (${utc})` }),
  );
  return node;
}

/** Format a byte count with a binary unit, for example "12.3 KiB". */
export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) {
    return "";
  }
  const units = ["bytes", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} ${units[0]}` : `${value.toFixed(1)} ${units[unit]}`;
}
