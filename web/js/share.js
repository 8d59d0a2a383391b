// The share dialog: an admin creates a time-limited link through which an auditor downloads one
// file of a completed report without an account (`POST /compliance/reports/{id}/shares`).

import { formatLocal, formatUtc } from "./format.js";

const MIN_DAYS = 1;
const MAX_DAYS = 30;

export class ShareDialog {
  constructor({ api }) {
    this.api = api;
    this.record = null;
    this.opener = null;

    const byId = (id) => document.getElementById(id);
    this.dialog = byId("share-dialog");
    this.form = byId("share-form");
    this.reportText = byId("share-report");
    this.days = byId("share-days");
    this.note = byId("share-note");
    this.result = byId("share-result");
    this.url = byId("share-url");
    this.expiry = byId("share-expiry");
    this.status = byId("share-status");
    this.createButton = byId("share-create");
    this.errors = { expiresInDays: byId("share-days-error"), note: byId("share-note-error") };
    this.controls = { expiresInDays: this.days, note: this.note };

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.create();
    });
    byId("share-close").addEventListener("click", () => this.dialog.close());
    byId("share-copy").addEventListener("click", () => this.copy());
    this.dialog.addEventListener("close", () => this.opener?.focus());
  }

  open(record, opener) {
    this.record = record;
    this.opener = opener;
    this.form.reset();
    this.clearErrors();
    this.result.hidden = true;
    this.setStatus("");
    this.reportText.textContent = `Report: ${record.title}`;
    this.dialog.showModal();
    this.form.querySelector('input[name="format"]:checked').focus();
  }

  setStatus(text, { isError = false } = {}) {
    this.status.textContent = text;
    this.status.classList.toggle("is-error", isError);
  }

  clearErrors() {
    for (const [field, node] of Object.entries(this.errors)) {
      node.textContent = "";
      this.controls[field].removeAttribute("aria-invalid");
    }
  }

  showError(field, message) {
    this.errors[field].textContent = message;
    this.controls[field].setAttribute("aria-invalid", "true");
    this.controls[field].focus();
  }

  async create() {
    this.clearErrors();
    const days = Number(this.days.value);
    if (!Number.isInteger(days) || days < MIN_DAYS || days > MAX_DAYS || this.days.value.trim() === "") {
      this.showError("expiresInDays", `Enter a whole number of days from ${MIN_DAYS} to ${MAX_DAYS}.`);
      return;
    }
    const body = { format: this.form.elements.format.value, expiresInDays: days };
    const note = this.note.value.trim();
    if (note) {
      body.note = note;
    }

    this.createButton.disabled = true;
    this.setStatus("Creating the link…");
    try {
      // The API returns {share: {shareId, expiresAt, ...}, url, token}, and only this once.
      const created = await this.api.createShare(this.record.reportId, body);
      const expiresAt = created.share?.expiresAt ?? created.expiresAt;
      this.url.value = created.url;
      this.expiry.textContent = expiresAt ? `Expires ${formatLocal(expiresAt)} (${formatUtc(expiresAt)}).` : "";
      this.result.hidden = false;
      this.setStatus("Link created. Send it to the auditor; anyone holding it can download the file until it expires.");
      this.url.focus();
      this.url.select();
    } catch (error) {
      if (error.field in this.errors) {
        this.showError(error.field, error.message);
        this.setStatus("");
      } else {
        this.setStatus(`The link was not created: ${error.message}`, { isError: true });
      }
    } finally {
      this.createButton.disabled = false;
    }
  }

  async copy() {
    try {
      await navigator.clipboard.writeText(this.url.value);
      this.setStatus("Link copied to the clipboard.");
    } catch {
      this.url.focus();
      this.url.select();
      this.setStatus("The browser did not allow copying; the link is selected, so press Ctrl+C (⌘C on a Mac).", { isError: true });
    }
  }
}
