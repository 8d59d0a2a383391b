// The Generate tab: the report request form, its agent picker and its validation messages.

import { element } from "./format.js";
import { DEFAULT_SPAN_DAYS, MAX_SPAN_DAYS, defaultPeriod, todayIn, validateReportRequest } from "./validation.js";

const TYPE_NAMES = { soc2: "SOC2 summary", gdpr: "GDPR export", audit: "Audit summary" };

export class GenerateForm {
  /**
   * @param {object} options
   * @param {object} options.api the client from api.js.
   * @param {string} options.timeZone the zone in which the API reads the dates (the org's setting).
   * @param {(record: object) => void} options.onCreated called with the new report's record.
   * @param {() => void} options.onShowReports called by the "Show in Reports" button.
   */
  constructor({ api, timeZone, onCreated, onShowReports }) {
    this.api = api;
    this.timeZone = timeZone;
    this.onCreated = onCreated;
    this.onShowReports = onShowReports;
    this.agents = [];
    this.datesEdited = false;
    this.submitted = false;
    this.touched = new Set();

    const byId = (id) => document.getElementById(id);
    this.form = byId("generate-form");
    this.dateFrom = byId("date-from");
    this.dateTo = byId("date-to");
    this.periodHint = byId("period-hint");
    this.agentField = byId("agent-field");
    this.agentSelect = byId("agent");
    this.agentsField = byId("agents-field");
    this.agentOptions = byId("agent-options");
    this.agentsStatus = byId("agents-status");
    this.subjectField = byId("subject-field");
    this.subject = byId("subject");
    this.button = byId("generate-button");
    this.status = byId("generate-status");

    // Where each API field name shows its message, and which controls it marks invalid.
    this.targets = {
      "dateRange.from": { error: byId("date-from-error"), controls: () => [this.dateFrom] },
      "dateRange.to": { error: byId("date-to-error"), controls: () => [this.dateTo] },
      dateRange: { error: byId("period-error"), controls: () => [this.dateFrom, this.dateTo] },
      agentId: { error: byId("agent-error"), controls: () => [this.agentSelect] },
      agentIds: { error: byId("agents-error"), controls: () => [...this.agentOptions.querySelectorAll("input")] },
      subjectId: { error: byId("subject-error"), controls: () => [this.subject] },
    };

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.form.addEventListener("change", (event) => this.handleChange(event));
    this.form.addEventListener("input", (event) => {
      if (event.target === this.dateFrom || event.target === this.dateTo) {
        this.datesEdited = true;
      }
    });
    this.applyType();
  }

  get type() {
    return this.form.elements.type.value;
  }

  today() {
    return todayIn(this.timeZone);
  }

  handleChange(event) {
    const target = event.target;
    if (target.name === "type") {
      this.applyType();
    } else if (target === this.dateFrom || target === this.dateTo) {
      this.touched.add("dateRange");
    } else if (target === this.agentSelect) {
      this.touched.add("agentId");
    } else if (target === this.subject) {
      this.touched.add("subjectId");
    } else if (target.name === "agentIds") {
      this.touched.add("agentIds");
    }
    this.showErrors(this.validate(), { all: this.submitted });
  }

  /** Show the controls of the chosen type and, unless the user changed the dates, its default dates. */
  applyType() {
    const type = this.type;
    const isGdpr = type === "gdpr";
    const today = this.today();
    this.agentField.hidden = !isGdpr;
    this.subjectField.hidden = !isGdpr;
    this.agentsField.hidden = isGdpr;
    this.dateFrom.max = today;
    this.dateTo.max = today;

    if (!this.datesEdited) {
      const period = isGdpr ? { from: "", to: "" } : defaultPeriod(today);
      this.dateFrom.value = period.from;
      this.dateTo.value = period.to;
    }
    const when = isGdpr
      ? "Leave both empty to export every retained event of the agent, as a data subject access request does."
      : `Both empty means the last ${DEFAULT_SPAN_DAYS} days.`;
    this.periodHint.textContent =
      `Calendar days, both included, in the organisation's time zone (${this.timeZone}); ` +
      `at most ${MAX_SPAN_DAYS} days, ending today at the latest. ${when}`;
  }

  async loadAgents() {
    this.agentsStatus.textContent = "Loading agents…";
    this.agentsStatus.classList.remove("field-error");
    try {
      const { items } = await this.api.listAgents();
      this.agents = items;
    } catch (error) {
      this.agentsStatus.textContent = `Agents could not be loaded: ${error.message} Reload the page to try again.`;
      this.agentsStatus.classList.add("field-error");
      return;
    }
    this.renderAgents();
    this.agentsStatus.textContent =
      this.agents.length === 0 ? "This organisation has no agents with audit events yet, so a GDPR export cannot be generated." : "";
  }

  renderAgents() {
    const selected = this.agentSelect.value;
    const ticked = new Set(this.checkedAgentIds());
    this.agentSelect.replaceChildren(element("option", { text: "Choose an agent", attributes: { value: "" } }));
    this.agentOptions.replaceChildren();

    for (const agent of this.agents) {
      const label = agent.name ? `${agent.name} (${agent.agentId})` : agent.agentId;
      const option = element("option", { text: label, attributes: { value: agent.agentId } });
      option.selected = agent.agentId === selected;
      this.agentSelect.append(option);

      const inputId = `agent-option-${this.agentOptions.childElementCount}`;
      const checkbox = element("input", {
        attributes: { type: "checkbox", id: inputId, name: "agentIds", value: agent.agentId },
      });
      checkbox.checked = ticked.has(agent.agentId);
      const checkboxLabel = element("label", { attributes: { for: inputId } });
      if (agent.name) {
        checkboxLabel.append(`${agent.name} `, element("span", { className: "agent-id", text: `(${agent.agentId})` }));
      } else {
        checkboxLabel.textContent = agent.agentId;
      }
      const row = element("div", { className: "choice" });
      row.append(checkbox, checkboxLabel);
      this.agentOptions.append(row);
    }
  }

  checkedAgentIds() {
    return [...this.agentOptions.querySelectorAll("input:checked")].map((input) => input.value);
  }

  /** Read the form; a date input holding an incomplete date reads as null. */
  readRequest() {
    const readDate = (input) => (input.validity.badInput ? null : input.value);
    return {
      type: this.type,
      from: readDate(this.dateFrom),
      to: readDate(this.dateTo),
      agentId: this.agentSelect.value,
      agentIds: this.checkedAgentIds(),
      subjectId: this.subject.value.trim(),
    };
  }

  validate() {
    return validateReportRequest(this.readRequest(), { today: this.today(), timeZone: this.timeZone });
  }

  /** Show each error beside its field; before the first submit only fields the user changed. */
  showErrors(errors, { all = true } = {}) {
    for (const target of Object.values(this.targets)) {
      target.error.textContent = "";
      for (const control of target.controls()) {
        control.removeAttribute("aria-invalid");
      }
    }
    const marked = [];
    for (const error of errors) {
      const key = this.targetKey(error.field);
      const group = key.startsWith("dateRange") ? "dateRange" : key;
      if (!key || (!all && !this.touched.has(group))) {
        continue;
      }
      const target = this.targets[key];
      target.error.textContent = error.message;
      for (const control of target.controls()) {
        control.setAttribute("aria-invalid", "true");
      }
      marked.push(target);
    }
    return marked;
  }

  /** Map an API field name such as "agentIds[2]" to the form's target key, or "" when none fits. */
  targetKey(field) {
    if (!field) {
      return "";
    }
    if (field in this.targets) {
      return field;
    }
    const base = field.replace(/\[\d+\]$/, "");
    return base in this.targets ? base : "";
  }

  setStatus(content, { isError = false } = {}) {
    this.status.classList.toggle("is-error", isError);
    this.status.replaceChildren(...content);
  }

  async submit() {
    this.submitted = true;
    const request = this.readRequest();
    const errors = this.validate();
    const marked = this.showErrors(errors);
    if (marked.length > 0) {
      const count = marked.length === 1 ? "1 field needs" : `${marked.length} fields need`;
      this.setStatus([element("p", { text: `The report was not generated: ${count} attention.` })], { isError: true });
      marked[0].controls()[0]?.focus();
      return;
    }

    const body = {};
    if (request.from && request.to) {
      body.dateRange = { from: request.from, to: request.to };
    }
    if (request.type === "gdpr") {
      body.agentId = request.agentId;
      if (request.subjectId) {
        body.subjectId = request.subjectId;
      }
    } else if (request.agentIds.length > 0) {
      body.agentIds = request.agentIds;
    }

    this.button.disabled = true;
    this.button.textContent = "Generating…";
    this.setStatus([element("p", { text: `Requesting a ${TYPE_NAMES[request.type]}…` })]);
    try {
      const record = await this.api.createReport(request.type, body);
      this.reportCreated(record);
    } catch (error) {
      this.requestFailed(error);
    } finally {
      this.button.disabled = false;
      this.button.textContent = "Generate";
    }
  }

  reportCreated(record) {
    const show = element("button", { className: "button button-secondary", text: "Show in Reports" });
    show.type = "button";
    show.addEventListener("click", () => this.onShowReports());
    this.setStatus([
      element("p", { text: `“${record.title}” is being generated. Its status appears in Reports.` }),
      show,
    ]);
    this.onCreated(record);
  }

  requestFailed(error) {
    const key = this.targetKey(error.field);
    if (key) {
      const [target] = this.showErrors([{ field: key, message: error.message }]);
      target.controls()[0]?.focus();
      this.setStatus([element("p", { text: "The API rejected the request; see the message beside the field." })], { isError: true });
      return;
    }
    const text = error.status === 403 ? `Not allowed: ${error.message}` : `The report was not generated: ${error.message}`;
    this.setStatus([element("p", { text })], { isError: true });
  }
}
