// The Reports tab: the table of the org's reports, their downloads, retries and share links, and
// the refresh that runs while any listed report is pending.

import { element, formatBytes, formatLocal, timeElement } from "./format.js";

const PAGE_SIZE = 25;
const POLL_MS = 2_000;
const MAX_POLL_MS = 30_000;
// Pending reports beyond the first page are read one by one, at most this many per refresh.
const MAX_SINGLE_READS = 10;
const TYPE_BADGES = { soc2: "SOC2", gdpr: "GDPR", audit: "AUDIT" };
const STATUS_NAMES = { pending: "Pending", completed: "Completed", failed: "Failed" };

export class ReportsView {
  /**
   * @param {object} options
   * @param {object} options.api the client from api.js.
   * @param {boolean} options.isAdmin whether retry and share buttons are shown.
   * @param {(record: object, opener: HTMLElement) => void} options.onShare opens the share dialog.
   */
  constructor({ api, isAdmin, onShare }) {
    this.api = api;
    this.isAdmin = isAdmin;
    this.onShare = onShare;
    this.records = new Map();
    this.rows = new Map();
    this.signatures = new Map();
    this.rowMessages = new Map();
    this.busy = new Set();
    this.nextCursor = null;
    this.loaded = false;
    this.timer = null;
    this.pollDelay = POLL_MS;
    this.pollOnVisible = false;

    const byId = (id) => document.getElementById(id);
    this.tbody = byId("report-rows");
    this.tableWrap = byId("reports-table").parentElement;
    this.empty = byId("reports-empty");
    this.more = byId("reports-more");
    this.refreshButton = byId("reports-refresh");
    this.status = byId("reports-status");

    this.refreshButton.addEventListener("click", () => this.reload());
    this.more.addEventListener("click", () => this.loadMore());
    this.tbody.addEventListener("click", (event) => this.handleClick(event));
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && this.pollOnVisible) {
        this.pollOnVisible = false;
        this.poll();
      }
    });
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  setStatus(text, { isError = false } = {}) {
    // Assign only on change, so that the live region does not repeat itself on every refresh.
    if (this.status.textContent !== text) {
      this.status.textContent = text;
    }
    this.status.classList.toggle("is-error", isError);
  }

  /** Load the first page again, dropping later pages. */
  async reload() {
    this.refreshButton.disabled = true;
    this.setStatus("Loading reports…");
    try {
      const page = await this.api.listReports({ limit: PAGE_SIZE });
      this.records.clear();
      this.merge(page.items);
      this.nextCursor = page.nextCursor ?? null;
      this.loaded = true;
      this.setStatus(this.summary());
    } catch (error) {
      this.setStatus(`Reports could not be loaded: ${error.message}`, { isError: true });
    } finally {
      this.refreshButton.disabled = false;
    }
    this.render();
    this.schedulePoll();
  }

  async loadMore() {
    if (!this.nextCursor) {
      return;
    }
    this.more.disabled = true;
    try {
      const page = await this.api.listReports({ limit: PAGE_SIZE, cursor: this.nextCursor });
      this.merge(page.items);
      this.nextCursor = page.nextCursor ?? null;
      this.setStatus(this.summary());
    } catch (error) {
      this.setStatus(`More reports could not be loaded: ${error.message}`, { isError: true });
    } finally {
      this.more.disabled = false;
    }
    this.render();
    this.schedulePoll();
  }

  /** Add or update one record, such as a report just created or retried. */
  upsert(record) {
    this.merge([record]);
    this.loaded = true;
    this.render();
    this.setStatus(this.summary());
    this.pollDelay = POLL_MS;
    this.schedulePoll();
  }

  merge(items) {
    for (const record of items) {
      this.records.set(record.reportId, record);
    }
  }

  pending() {
    return [...this.records.values()].filter((record) => record.status === "pending");
  }

  summary() {
    const pending = this.pending().length;
    if (pending === 0) {
      return this.records.size === 0 ? "" : `${plural(this.records.size, "report")} shown.`;
    }
    const noun = pending === 1 ? "1 report is" : `${pending} reports are`;
    return `${noun} pending; this list refreshes every ${POLL_MS / 1000} seconds.`;
  }

  schedulePoll() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.pending().length > 0) {
      this.timer = setTimeout(() => this.poll(), this.pollDelay);
    }
  }

  /** Refresh the first page and any pending report beyond it, then announce finished reports. */
  async poll() {
    this.timer = null;
    if (document.hidden) {
      this.pollOnVisible = true;
      return;
    }
    const wasPending = new Set(this.pending().map((record) => record.reportId));
    try {
      const page = await this.api.listReports({ limit: PAGE_SIZE });
      this.merge(page.items);
      const onPage = new Set(page.items.map((record) => record.reportId));
      const beyond = this.pending().filter((record) => !onPage.has(record.reportId));
      for (const record of beyond.slice(0, MAX_SINGLE_READS)) {
        this.merge([await this.api.getReport(record.reportId)]);
      }
      this.pollDelay = POLL_MS;
      this.announceFinished(wasPending);
    } catch (error) {
      this.pollDelay = Math.min(this.pollDelay * 2, MAX_POLL_MS);
      this.setStatus(`Refreshing failed: ${error.message} Trying again in ${Math.round(this.pollDelay / 1000)} seconds.`, {
        isError: true,
      });
    }
    this.render();
    this.schedulePoll();
  }

  /** Announce the reports that left pending in this refresh, by title when there is one. */
  announceFinished(wasPending) {
    const finished = [...wasPending]
      .map((reportId) => this.records.get(reportId))
      .filter((record) => record && record.status !== "pending");
    const pendingNow = this.pending().length;
    const parts = [];
    if (finished.length === 1) {
      const [record] = finished;
      parts.push(
        record.status === "completed"
          ? `“${record.title}” completed.`
          : `“${record.title}” failed: ${record.error?.message ?? "no reason was recorded."}`,
      );
    } else if (finished.length > 1) {
      const failed = finished.filter((record) => record.status === "failed").length;
      const completed = finished.length - failed;
      if (completed > 0) {
        parts.push(`${plural(completed, "report")} completed.`);
      }
      if (failed > 0) {
        parts.push(`${plural(failed, "report")} failed.`);
      }
    }
    if (finished.length === 0 || pendingNow > 0) {
      parts.push(this.summary());
    }
    this.setStatus(parts.filter(Boolean).join(" "));
  }

  ordered() {
    return [...this.records.values()].sort(
      (left, right) => right.createdAt.localeCompare(left.createdAt) || right.reportId.localeCompare(left.reportId),
    );
  }

  render() {
    let previous = null;
    for (const record of this.ordered()) {
      const row = this.currentRow(record);
      const expected = previous ? previous.nextElementSibling : this.tbody.firstElementChild;
      if (expected !== row) {
        if (previous) {
          previous.after(row);
        } else {
          this.tbody.prepend(row);
        }
      }
      previous = row;
    }
    for (const [reportId, row] of this.rows) {
      if (!this.records.has(reportId)) {
        row.remove();
        this.rows.delete(reportId);
        this.signatures.delete(reportId);
      }
    }

    const isEmpty = this.loaded && this.records.size === 0;
    this.tableWrap.hidden = this.records.size === 0;
    this.empty.hidden = !isEmpty;
    this.empty.textContent = this.isAdmin ? "No reports yet. Generate one in the Generate tab." : "No reports yet.";
    this.more.hidden = !this.nextCursor;
  }

  /** Return the row for `record`, rebuilt when the record or its row state changed. */
  currentRow(record) {
    const reportId = record.reportId;
    const signature = JSON.stringify([
      record,
      this.rowMessages.get(reportId) ?? null,
      [...this.busy].filter((key) => key.startsWith(`${reportId}:`)),
    ]);
    const existing = this.rows.get(reportId);
    if (existing && this.signatures.get(reportId) === signature) {
      return existing;
    }
    const row = this.buildRow(record);
    if (existing) {
      // Keep keyboard focus on the same control when a refresh rebuilds the row.
      const focusKey = existing.contains(document.activeElement) ? document.activeElement.dataset.focus : null;
      existing.replaceWith(row);
      if (focusKey) {
        (row.querySelector(`[data-focus="${focusKey}"]`) ?? row.querySelector('[data-focus="title"]')).focus();
      }
    }
    this.rows.set(reportId, row);
    this.signatures.set(reportId, signature);
    return row;
  }

  buildRow(record) {
    const row = element("tr", { attributes: { "data-report-id": record.reportId } });
    const titleId = `report-title-${record.reportId}`;
    // One wrapper per cell: narrow layouts make each cell a grid of its label and this wrapper.
    const cell = (label) => {
      const td = element("td", { attributes: { "data-label": label } });
      const content = element("div", { className: "cell" });
      td.append(content);
      row.append(td);
      return content;
    };

    const title = cell("Title");
    title.append(
      element("span", {
        className: "report-title",
        text: record.title,
        attributes: { id: titleId, tabindex: "-1", "data-focus": "title" },
      }),
    );
    const message = this.rowMessages.get(record.reportId);
    if (message) {
      title.append(element("span", { className: `row-status${message.isError ? " is-error" : ""}`, text: message.text }));
    }

    cell("Type").append(
      element("span", { className: `badge badge-${record.type}`, text: TYPE_BADGES[record.type] ?? record.type }),
    );
    cell("Status").append(...this.statusContent(record, titleId));
    const generated = timeElement(record.createdAt);
    generated.dataset.focus = "created";
    cell("Generated").append(generated);
    cell("By").append(this.author(record.createdBy));
    cell("Actions").append(this.actions(record, titleId));
    return row;
  }

  /** Show who requested the report; a long email address may wrap after its "@". */
  author(createdBy) {
    const node = element("span", { className: "report-author" });
    const [local, ...domain] = (createdBy || "—").split("@");
    node.append(local);
    if (domain.length > 0) {
      node.append("@", document.createElement("wbr"), domain.join("@"));
    }
    return node;
  }

  statusContent(record, titleId) {
    const name = element("span", {
      className: `status status-${record.status}`,
      text: STATUS_NAMES[record.status] ?? record.status,
    });
    const nodes = [name];
    const attempt = record.attempt > 1 ? `attempt ${record.attempt}` : "";

    if (record.status === "pending") {
      const progress = record.progress ?? {};
      const bar = element("progress", { attributes: { "aria-describedby": titleId } });
      if (progress.shardsTotal > 0) {
        bar.max = progress.shardsTotal;
        bar.value = progress.shardsDone;
        bar.setAttribute("aria-label", `${progress.shardsDone} of ${progress.shardsTotal} days processed`);
        const detail = [`Day ${progress.shardsDone} of ${progress.shardsTotal}`, `${progress.eventsRead ?? 0} events read`];
        nodes.push(bar, element("span", { className: "status-detail", text: [...detail, attempt].filter(Boolean).join(" · ") }));
      } else {
        // No value: an indeterminate bar while the workflow plans its day shards.
        bar.setAttribute("aria-label", "Starting");
        nodes.push(bar, element("span", { className: "status-detail", text: ["Starting", attempt].filter(Boolean).join(" · ") }));
      }
    } else if (record.status === "completed") {
      const sizes = ["json", "csv"]
        .filter((format) => record.artifacts?.[format])
        .map((format) => `${format.toUpperCase()} ${formatBytes(record.artifacts[format].bytes)}`);
      const rows = Number.isInteger(record.rowCount) ? plural(record.rowCount, "row") : "";
      nodes.push(element("span", { className: "status-detail", text: [rows, ...sizes, attempt].filter(Boolean).join(" · ") }));
    } else if (record.status === "failed") {
      const reason = record.error?.message ?? "No reason was recorded.";
      nodes.push(element("span", { className: "status-reason", text: reason }));
      if (attempt) {
        nodes.push(element("span", { className: "status-detail", text: attempt }));
      }
      if (this.isAdmin) {
        nodes.push(this.button(record, "retry", "Retry", titleId));
      }
    }
    return nodes;
  }

  actions(record, titleId) {
    const actions = element("div", { className: "actions" });
    if (record.status !== "completed") {
      const text = record.status === "pending" ? "Downloads appear when completed" : "None";
      actions.append(element("span", { className: "report-meta", text }));
      return actions;
    }
    // The buttons show "JSON" and "CSV", and screen readers announce "Download JSON" and "Download CSV".
    actions.append(
      this.button(record, "download-json", "JSON", titleId, "Download "),
      this.button(record, "download-csv", "CSV", titleId, "Download "),
    );
    if (this.isAdmin) {
      actions.append(this.button(record, "share", "Share link", titleId));
    }
    return actions;
  }

  /**
   * Build a row button whose description is the report's title, read after its name. A
   * `hiddenPrefix` is part of the accessible name only, before the visible text.
   */
  button(record, action, text, titleId, hiddenPrefix = "") {
    const button = element("button", {
      className: "button button-secondary button-small",
      attributes: { type: "button", "data-action": action, "data-focus": action, "aria-describedby": titleId },
    });
    if (hiddenPrefix) {
      button.append(element("span", { className: "visually-hidden", text: hiddenPrefix }));
    }
    button.append(text);
    button.dataset.reportId = record.reportId;
    button.disabled = this.busy.has(`${record.reportId}:${action}`);
    return button;
  }

  handleClick(event) {
    const button = event.target.closest("button[data-action]");
    if (!button) {
      return;
    }
    const record = this.records.get(button.dataset.reportId);
    if (!record) {
      return;
    }
    const action = button.dataset.action;
    if (action === "download-json" || action === "download-csv") {
      this.download(record, action.slice("download-".length));
    } else if (action === "retry") {
      this.retry(record);
    } else if (action === "share") {
      this.onShare(record, button);
    }
  }

  setRowMessage(reportId, text, { isError = false } = {}) {
    this.rowMessages.set(reportId, { text, isError });
  }

  async runRowAction(record, action, work) {
    const key = `${record.reportId}:${action}`;
    this.busy.add(key);
    this.render();
    try {
      await work();
    } finally {
      this.busy.delete(key);
      this.render();
    }
  }

  /**
   * Ask the API for a presigned URL and open it in this tab. S3 serves that URL with
   * Content-Disposition: attachment, so the browser saves the file and the page stays open.
   */
  download(record, format) {
    return this.runRowAction(record, `download-${format}`, async () => {
      const label = format.toUpperCase();
      this.setRowMessage(record.reportId, `Preparing the ${label} download…`);
      this.render();
      try {
        const link = await this.api.downloadLink(record.reportId, format);
        const anchor = element("a", { attributes: { href: link.url, rel: "noopener", hidden: "" } });
        document.body.append(anchor);
        anchor.click();
        anchor.remove();
        const expires = link.expiresAt ? `; the link expires ${formatLocal(link.expiresAt)}` : "";
        this.setRowMessage(record.reportId, `Downloading ${link.filename ?? label}${expires}.`);
      } catch (error) {
        this.setRowMessage(record.reportId, `${label} download failed: ${error.message}`, { isError: true });
      }
    });
  }

  retry(record) {
    return this.runRowAction(record, "retry", async () => {
      this.setRowMessage(record.reportId, "Starting a new attempt…");
      this.render();
      try {
        const updated = await this.api.retryReport(record.reportId);
        if (updated?.reportId) {
          this.merge([updated]);
        }
        const attempt = updated?.attempt ? ` (attempt ${updated.attempt})` : "";
        this.setRowMessage(record.reportId, `Retry started${attempt}.`);
        this.setStatus(this.summary());
        this.pollDelay = POLL_MS;
        this.schedulePoll();
      } catch (error) {
        this.setRowMessage(record.reportId, `Retry failed: ${error.message}`, { isError: true });
      }
    });
  }
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
