// The exam page (EXAMS.md §4). Every answer is saved at once: it goes into a queue kept in
// localStorage ("exam:<sitting>") and is sent with an idempotency key and the revision of the
// stored answer it changes, again and again until the server answers — so an answer given
// offline is sent when the network is back, counted once, and never overwrites a later
// answer given on another device (the server refuses it as stale and this page shows the
// later one). The clock is the server's: the page counts down from the seconds the server
// gives and asks again every few seconds (pauses and extensions arrive that way).
"use strict";

(() => {
  const root = document.getElementById("exam");
  if (!root || !window.fetch || !window.localStorage) {
    return;
  }
  const text = document.getElementById("exam-messages").dataset;
  const queueKey = root.dataset.queue;
  const flagKey = queueKey + ":flags";
  const modeKey = "exam-mode";
  const items = Array.from(root.querySelectorAll(".exam-item"));
  const byCode = new Map(items.map((el) => [el.dataset.item, el]));
  const clock = document.getElementById("exam-clock");
  const unsent = document.getElementById("exam-unsent");
  const offline = document.getElementById("exam-offline");
  const paused = document.getElementById("exam-paused");
  const message = document.getElementById("exam-message");
  let deadline = performance.now() + Number(clock.dataset.left) * 1000;
  let isPaused = !paused.hidden;
  let ended = false;
  let busy = false;
  let retry = null;
  let current = 0;

  const format = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));

  function newKey() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID().replace(/-/g, "");
    }
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function readQueue() {
    try {
      const entries = JSON.parse(localStorage.getItem(queueKey) || "[]");
      return Array.isArray(entries) ? entries : [];
    } catch (error) {
      return [];
    }
  }

  function writeQueue(entries) {
    if (entries.length) {
      localStorage.setItem(queueKey, JSON.stringify(entries));
    } else {
      localStorage.removeItem(queueKey);
    }
    unsent.hidden = entries.length === 0;
    unsent.textContent = format(text.unsent, { n: entries.length });
  }

  function say(note) {
    message.hidden = !note;
    message.textContent = note || "";
  }

  // --- reading and showing an answer ---------------------------------------------------

  function responseOf(el) {
    const inputs = Array.from(el.querySelectorAll("input, textarea"));
    switch (el.dataset.type) {
      case "single": {
        const chosen = inputs.find((i) => i.checked);
        return chosen ? chosen.value : null;
      }
      case "multiple": {
        const chosen = inputs.filter((i) => i.checked).map((i) => i.value);
        return chosen.length ? chosen : null;
      }
      case "judge": {
        const chosen = inputs.find((i) => i.checked);
        return chosen ? chosen.value === "true" : null;
      }
      case "fill": {
        const blanks = inputs.map((i) => (i.value.trim() ? i.value : null));
        return blanks.some((b) => b !== null) ? blanks : null;
      }
      default:
        return inputs[0].value.trim() ? inputs[0].value : null;
    }
  }

  function show(el, response) {
    const inputs = Array.from(el.querySelectorAll("input, textarea"));
    const type = el.dataset.type;
    if (type === "single" || type === "multiple") {
      const chosen = new Set(Array.isArray(response) ? response : response ? [response] : []);
      inputs.forEach((i) => (i.checked = chosen.has(i.value)));
    } else if (type === "judge") {
      inputs.forEach((i) => (i.checked = response !== null && String(response) === i.value));
    } else if (type === "fill") {
      inputs.forEach((i, n) => (i.value = (response && response[n]) || ""));
    } else {
      inputs[0].value = response || "";
    }
    mark(el);
  }

  function mark(el) {
    const link = root.querySelector(`[data-map="${el.dataset.item}"]`);
    link.classList.toggle("answered", responseOf(el) !== null);
  }

  // --- the queue ------------------------------------------------------------------------

  function enqueue(el) {
    const item = el.dataset.item;
    const entries = readQueue();
    const waiting = entries.find((e) => e.item === item && !e.sent);
    const response = responseOf(el);
    if (waiting) {
      waiting.response = response; // not sent yet: the newer answer replaces it
      waiting.key = newKey();
    } else {
      entries.push({ item, response, base: Number(el.dataset.revision), key: newKey() });
    }
    writeQueue(entries);
    mark(el);
    el.querySelector(".exam-saved").textContent = "";
    pump();
  }

  async function send(entry) {
    const response = await fetch(root.dataset.save, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": root.dataset.csrf,
        "Idempotency-Key": entry.key,
      },
      body: JSON.stringify({ item: entry.item, response: entry.response, base: entry.base }),
    });
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      data = {};
    }
    return { status: response.status, data };
  }

  function settle(entry, answer) {
    let entries = readQueue();
    const el = byCode.get(entry.item);
    if (answer.status === 200) {
      el.dataset.revision = answer.data.revision;
      entries = entries.filter((e) => e.key !== entry.key);
      for (const later of entries) {
        if (later.item === entry.item) {
          later.base = answer.data.revision; // made on the answer just stored
        }
      }
      if (!entries.some((e) => e.item === entry.item)) {
        el.querySelector(".exam-saved").textContent = text.saved;
      }
    } else if (answer.data.error === "stale") {
      // Another device stored a later answer: keep it and show it.
      entries = entries.filter((e) => e.item !== entry.item);
      say(format(text.stale, { n: el.dataset.number }));
      refresh();
    } else if (answer.status === 401) {
      say(answer.data.message || ""); // signed out on this device: kept until signed in again
      return false;
    } else if (answer.data.error === "paused") {
      setPaused(true);
      return false; // kept; sent once the exam goes on
    } else if (answer.data.error === "time_up" || answer.data.error === "ended") {
      finish();
      return false;
    } else {
      entries = entries.filter((e) => e.key !== entry.key);
      say(answer.data.message || "");
    }
    writeQueue(entries);
    return true;
  }

  async function pump() {
    if (busy || ended) {
      return;
    }
    busy = true;
    window.clearTimeout(retry);
    try {
      for (;;) {
        const entries = readQueue();
        const entry = entries[0];
        if (!entry) {
          offline.hidden = true;
          break;
        }
        entry.sent = true; // a newer answer to the item goes in a new entry from now on
        writeQueue(entries);
        let answer;
        try {
          answer = await send(entry);
        } catch (error) {
          answer = null;
        }
        if (answer === null || answer.status >= 500 || answer.status === 429) {
          offline.hidden = answer !== null;
          retry = window.setTimeout(pump, 3000);
          break;
        }
        offline.hidden = true;
        if (!settle(entry, answer)) {
          retry = window.setTimeout(pump, 5000);
          break;
        }
      }
    } finally {
      busy = false;
    }
  }

  // --- the server's clock and state -------------------------------------------------------

  function setPaused(value) {
    isPaused = value;
    paused.hidden = !value;
    root.classList.toggle("is-paused", value);
    items.forEach((el) =>
      el.querySelectorAll("input, textarea").forEach((i) => (i.disabled = value)),
    );
  }

  function finish() {
    if (ended) {
      return;
    }
    ended = true;
    window.location.assign(root.dataset.done);
  }

  async function refresh() {
    let data;
    try {
      const response = await fetch(root.dataset.state, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) {
        return;
      }
      data = await response.json();
    } catch (error) {
      offline.hidden = false;
      return;
    }
    deadline = performance.now() + data.left * 1000;
    setPaused(data.paused);
    if (data.ended) {
      finish();
      return;
    }
    const waiting = new Set(readQueue().map((e) => e.item));
    for (const [code, stored] of Object.entries(data.answers)) {
      const el = byCode.get(code);
      if (el && !waiting.has(code) && Number(el.dataset.revision) !== stored.revision) {
        el.dataset.revision = stored.revision;
        show(el, stored.response);
      }
    }
    if (!isPaused) {
      pump();
    }
  }

  function tick() {
    if (!isPaused) {
      const left = Math.max(0, Math.ceil((deadline - performance.now()) / 1000));
      const hours = Math.floor(left / 3600);
      const minutes = Math.floor((left % 3600) / 60);
      const seconds = String(left % 60).padStart(2, "0");
      clock.textContent = hours
        ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}`
        : `${minutes}:${seconds}`;
      clock.classList.toggle("exam-clock-low", left <= 300);
      if (left === 0 && !ended) {
        say(text.timeUp);
        refresh();
      }
    } else {
      deadline += 1000; // the time is held while paused
    }
  }

  // --- moving around the paper ----------------------------------------------------------

  function flags() {
    try {
      return new Set(JSON.parse(localStorage.getItem(flagKey) || "[]"));
    } catch (error) {
      return new Set();
    }
  }

  function showFlags() {
    const flagged = flags();
    for (const el of items) {
      const on = flagged.has(el.dataset.item);
      const button = el.querySelector(".exam-flag");
      button.setAttribute("aria-pressed", String(on));
      button.textContent = on ? text.unflag : text.flag;
      root.querySelector(`[data-map="${el.dataset.item}"]`).classList.toggle("flagged", on);
    }
  }

  function oneAtATime() {
    return root.classList.contains("one-by-one");
  }

  function go(index) {
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach((el, n) => el.classList.toggle("current", n === current));
    root.querySelectorAll("[data-map]").forEach((link, n) => {
      link.classList.toggle("current", n === current);
    });
    if (!oneAtATime()) {
      items[current].scrollIntoView({ block: "start" });
    }
  }

  function setMode(one) {
    root.classList.toggle("one-by-one", one);
    const button = document.getElementById("exam-mode");
    button.textContent = one ? button.dataset.all : button.dataset.one;
    localStorage.setItem(modeKey, one ? "one" : "all");
    go(current);
  }

  function unanswered() {
    return items.filter((el) => responseOf(el) === null).map((el) => el.dataset.number);
  }

  // --- wiring ------------------------------------------------------------------------------

  for (const el of items) {
    let typing = null;
    el.addEventListener("change", () => {
      window.clearTimeout(typing);
      enqueue(el);
    });
    el.addEventListener("input", (event) => {
      if (event.target.matches("textarea, input[type=text]")) {
        window.clearTimeout(typing);
        typing = window.setTimeout(() => enqueue(el), 1200);
      }
    });
    el.querySelector(".exam-flag").addEventListener("click", () => {
      const flagged = flags();
      if (flagged.has(el.dataset.item)) {
        flagged.delete(el.dataset.item);
      } else {
        flagged.add(el.dataset.item);
      }
      localStorage.setItem(flagKey, JSON.stringify(Array.from(flagged)));
      showFlags();
    });
  }
  root.querySelectorAll("[data-map]").forEach((link, n) =>
    link.addEventListener("click", (event) => {
      event.preventDefault();
      go(n);
    }),
  );
  document.getElementById("exam-prev").addEventListener("click", () => go(current - 1));
  document.getElementById("exam-next").addEventListener("click", () => go(current + 1));
  document.getElementById("exam-mode").addEventListener("click", () => setMode(!oneAtATime()));

  const dialog = document.getElementById("exam-confirm");
  document.getElementById("exam-submit-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const waiting = readQueue().length;
    if (waiting) {
      say(format(text.waiting, { n: waiting }));
      pump();
      return;
    }
    const missing = unanswered();
    const flagged = items.filter((el) => flags().has(el.dataset.item)).map((el) => el.dataset.number);
    let note = missing.length
      ? format(text.unanswered, { n: missing.length, numbers: missing.join(", ") })
      : text.allAnswered;
    if (flagged.length) {
      note += " " + format(text.flagged, { n: flagged.length, numbers: flagged.join(", ") });
    }
    document.getElementById("exam-confirm-text").textContent = note;
    dialog.showModal();
  });
  document.getElementById("exam-confirm-no").addEventListener("click", () => dialog.close());
  document.getElementById("exam-confirm-yes").addEventListener("click", async () => {
    dialog.close();
    try {
      const response = await fetch(root.dataset.submit, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
        body: "{}",
      });
      if (response.ok || response.status === 409) {
        finish();
        return;
      }
      const data = await response.json().catch(() => ({}));
      say(data.message || "");
    } catch (error) {
      offline.hidden = false;
    }
  });

  window.addEventListener("online", pump);
  setMode(localStorage.getItem(modeKey) !== "all");
  showFlags();
  const kept = readQueue().map(({ sent, ...e }) => e);
  for (const entry of kept) {
    const el = byCode.get(entry.item);
    if (el) {
      show(el, entry.response); // answers given here and not sent yet are the latest
    }
  }
  writeQueue(kept);
  setPaused(isPaused);
  window.setInterval(tick, 1000);
  window.setInterval(refresh, 10000);
  tick();
  pump();
})();
