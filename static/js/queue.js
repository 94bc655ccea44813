// Changes waiting on this tablet, on every page: the score sheets (sheet.js) keep the values
// and submits the server has not acknowledged yet in localStorage, one queue per sheet
// ("sheet:<account>:<trade>:<entrant>"). Whichever page the judge is on, this banner lists
// each waiting change by entrant and criterion, with a link back to its sheet, and sends the
// changes again — with the idempotency key and the version each was made with, so a retry is
// applied once and never overwrites a newer value — until the server acknowledges them. A
// change the server refuses stays listed, with why, until the judge opens its sheet (which
// shows it in its field). The sheet list does not show a sheet as done while it has changes
// waiting. The open sheet's own queue is left to sheet.js.
"use strict";

// One entry of a sheet's queue sent to the sheet API (a value or a submit), with its
// idempotency key; the answer's status and JSON body. Shared with sheet.js.
window.sendSheetEntry = async (api, entry, csrf) => {
  const url = entry.type === "submit" ? api + "/submit" : api + "/values";
  const body =
    entry.type === "submit"
      ? {}
      : { criterion: entry.criterion, value: entry.value, base_version: entry.base, reason: entry.reason };
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": csrf,
      "Idempotency-Key": entry.key,
    },
    body: JSON.stringify(body),
  });
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    data = {};
  }
  return { status: response.status, data };
};

(() => {
  const banner = document.getElementById("unsent");
  if (!banner || !window.localStorage || !window.fetch) {
    return;
  }
  const text = document.getElementById("unsent-messages").dataset;
  const title = banner.querySelector(".unsent-title");
  const list = banner.querySelector(".unsent-list");
  const token = document.querySelector('meta[name="csrf-token"]');
  const sheet = document.getElementById("score-sheet");
  const here = sheet ? sheet.dataset.queueKey : null;
  const prefix = `sheet:${banner.dataset.user}:`;
  let busy = false;
  let stopped = false;
  let timer = null;
  let backoff = 2000;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
  }

  function keys() {
    const found = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key && key.startsWith(prefix)) {
        found.push(key);
      }
    }
    return found.sort();
  }

  function read(key) {
    try {
      const entries = JSON.parse(localStorage.getItem(key) || "[]");
      return Array.isArray(entries) ? entries : [];
    } catch (error) {
      return [];
    }
  }

  function write(key, entries) {
    if (entries.length) {
      localStorage.setItem(key, JSON.stringify(entries.map(({ inflight, ...e }) => e)));
    } else {
      localStorage.removeItem(key);
    }
  }

  // Where a sheet's changes go and how the judge knows it (entries made before the label
  // was kept name the sheet by its address).
  function sheetOf(key, entries) {
    const [, , trade, entrant] = key.split(":");
    const known = entries.find((e) => e.api) || {};
    return {
      api: known.api || `/api/sheets/${trade}/${entrant}`,
      page: known.page || `/judging/trades/${trade}/sheets/${entrant}`,
      label: known.label || `#${entrant}`,
    };
  }

  function describe(entry) {
    const what = entry.type === "submit" ? text.submit : format(text.value, entry);
    return entry.refused ? format(text.refused, { what, message: entry.refused }) : what;
  }

  function render() {
    const queues = keys()
      .filter((key) => key !== here)
      .map((key) => [key, read(key)])
      .filter(([, entries]) => entries.length);
    const count = queues.reduce((n, [, entries]) => n + entries.length, 0);
    banner.hidden = count === 0;
    banner.dataset.state = stopped ? "error" : "waiting";
    title.textContent = stopped ? text.login : format(text.title, { n: count });
    list.replaceChildren(
      ...queues.map(([key, entries]) => {
        const { page, label } = sheetOf(key, entries);
        const item = document.createElement("li");
        item.dataset.queueKey = key;
        const link = document.createElement("a");
        link.href = page;
        link.textContent = label;
        const what = document.createElement("span");
        what.textContent = entries.map(describe).join(text.separator);
        item.append(link, text.colon, what);
        return item;
      }),
    );
    // The sheet list: a sheet with changes still on this tablet is not done.
    const waiting = new Set(queues.map(([key]) => key));
    for (const link of document.querySelectorAll("a[data-queue-key]")) {
      const unsent = waiting.has(link.dataset.queueKey);
      if (link.classList.contains("done") || link.dataset.done === "true") {
        link.dataset.done = "true";
        link.classList.toggle("done", !unsent);
      }
      link.classList.toggle("unsent", unsent);
      let badge = link.querySelector(".unsent-badge");
      if (unsent && !badge) {
        badge = document.createElement("span");
        badge.className = "badge badge-warn unsent-badge";
        badge.textContent = text.badge;
        link.querySelector(".station").after(badge);
      } else if (!unsent && badge) {
        badge.remove();
      }
    }
  }


  // One answer to one entry of a sheet's queue, as sheet.js would take it.
  function settle(entries, entry, answer) {
    if (answer.status === 200) {
      const rest = entries.filter((e) => e.key !== entry.key);
      if (entry.type === "value" && answer.data.score) {
        for (const later of rest) {
          if (later.type === "value" && later.criterion === entry.criterion) {
            later.base = answer.data.score.version;
          }
        }
      }
      return rest;
    }
    entry.refused = answer.data.message || text.unknown;
    if (answer.status === 409 && answer.data.error === "conflict") {
      // Later changes of the value were made on the version another device replaced.
      return entries.filter(
        (e) => e === entry || !(e.type === "value" && e.criterion === entry.criterion),
      );
    }
    return entries;
  }

  async function pump() {
    if (busy || stopped) {
      return;
    }
    busy = true;
    let failed = false;
    try {
      for (const key of keys()) {
        if (key === here) {
          continue;
        }
        for (;;) {
          let entries = read(key);
          const entry = entries.find((e) => !e.refused);
          if (!entry) {
            break;
          }
          let answer;
          try {
            answer = await window.sendSheetEntry(sheetOf(key, entries).api, entry, token ? token.content : "");
          } catch (error) {
            answer = null; // the network is down
          }
          if (answer === null || answer.status >= 500) {
            failed = true;
            break;
          }
          if (answer.status === 401) {
            stopped = true; // kept on the tablet until the judge logs in again
            break;
          }
          entries = read(key); // as it is now, with the entry found again by its key
          const current = entries.find((e) => e.key === entry.key);
          if (current) {
            write(key, settle(entries, current, answer));
          }
          render();
        }
        if (failed || stopped) {
          break;
        }
      }
    } finally {
      busy = false;
    }
    render();
    clearTimeout(timer);
    if (failed) {
      timer = setTimeout(pump, backoff);
      backoff = Math.min(backoff * 2, 30000);
    } else {
      backoff = 2000;
    }
  }

  document.addEventListener("sheet-queue", render);
  window.addEventListener("storage", (event) => {
    if (!event.key || event.key.startsWith(prefix)) {
      render();
    }
  });
  window.addEventListener("online", () => {
    clearTimeout(timer);
    pump();
  });
  render();
  pump();
})();
