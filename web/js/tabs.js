// Tabs following the WAI-ARIA Authoring Practices tabs pattern with automatic activation:
// Left and Right arrows move between tabs and select them, Home and End jump to the first and
// last, and only the selected tab is in the Tab order.

export class Tabs {
  constructor(tablist, { onSelect } = {}) {
    this.tablist = tablist;
    this.onSelect = onSelect;
    tablist.addEventListener("click", (event) => {
      const tab = event.target.closest('[role="tab"]');
      if (tab && this.tabs().includes(tab)) {
        this.select(tab);
      }
    });
    tablist.addEventListener("keydown", (event) => this.handleKey(event));
  }

  /** Return the tabs in the tab list that are not hidden. */
  tabs() {
    return [...this.tablist.querySelectorAll('[role="tab"]')].filter((tab) => !tab.hidden);
  }

  selected() {
    return this.tabs().find((tab) => tab.getAttribute("aria-selected") === "true") ?? null;
  }

  select(tab, { focus = false } = {}) {
    for (const candidate of this.tablist.querySelectorAll('[role="tab"]')) {
      const isSelected = candidate === tab;
      candidate.setAttribute("aria-selected", String(isSelected));
      candidate.tabIndex = isSelected ? 0 : -1;
      document.getElementById(candidate.getAttribute("aria-controls")).hidden = !isSelected;
    }
    if (focus) {
      tab.focus();
    }
    this.onSelect?.(tab);
  }

  selectById(tabId, options) {
    const tab = document.getElementById(tabId);
    if (tab && !tab.hidden) {
      this.select(tab, options);
    }
  }

  handleKey(event) {
    const tabs = this.tabs();
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) {
      return;
    }
    const targets = {
      ArrowRight: tabs[(index + 1) % tabs.length],
      ArrowLeft: tabs[(index - 1 + tabs.length) % tabs.length],
      Home: tabs[0],
      End: tabs[tabs.length - 1],
    };
    const target = targets[event.key];
    if (target) {
      event.preventDefault();
      this.select(target, { focus: true });
    }
  }
}
