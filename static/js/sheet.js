// The judge's score sheet on a tablet: every value is saved as it is entered, through the
// JSON API. While the network is down, entries wait in a queue kept on the tablet
// (localStorage) and are sent again when it returns. Each entry carries an idempotency key,
// so a retry is never applied twice, and the version the judge saw, so a late entry never
// overwrites a newer value from another device: the server answers 409 and the newer
// value is shown instead.
//
// Every entry also carries the entrant's label and the sheet's addresses, so that the
// banner on every other page (queue.js) can say what still waits on this tablet and send it
// again. A value the server refuses stays marked invalid in its field, with the message; the
// header never says everything is saved while a value is refused, waiting or not yet sent.
"use strict";

(() => {
  const form = document.getElementById("score-sheet");
  if (!form || !window.fetch || !window.localStorage) {
    return;
  }
  const api = form.dataset.api;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const storeKey = form.dataset.queueKey;
  const text = document.getElementById("sheet-messages").dataset;
  const status = document.getElementById("sync-status");
  const queueNote = document.getElementById("queue");
  const reasonField = form.querySelector(".reason-field");
  const reasonInput = document.getElementById("reason");
  let readonly = form.dataset.readonly === "true";
  let submitted = form.dataset.submitted === "true";
  //: What every entry carries so that another page can show and send it (queue.js).
  const where = { label: form.dataset.label, page: form.dataset.page, api };
  //: Entries the server refused while this sheet was not open (queue.js marked them).
  const refusedElsewhere = [];
  //: A refusal of the whole sheet (a submit, or the sheet closed), shown in the header.
  let sheetMessage = "";
  let queue = restore();
  let sending = false;
  let offline = false;
  let stopped = false;
  let retryTimer = null;
  let backoff = 1000;
  const timers = new Map();

  form.classList.add("js");

  // --- helpers -------------------------------------------------------------------------------

  function restore() {
    let saved = [];
    try {
      saved = JSON.parse(localStorage.getItem(storeKey) || "[]");
    } catch (error) {
      saved = [];
    }
    if (!Array.isArray(saved)) {
      return [];
    }
    refusedElsewhere.push(...saved.filter((e) => e.refused));
    return saved.filter((e) => !e.refused).map((e) => ({ ...e, inflight: false }));
  }

  function persist() {
    if (queue.length) {
      localStorage.setItem(storeKey, JSON.stringify(queue));
    } else {
      localStorage.removeItem(storeKey);
    }
    document.dispatchEvent(new CustomEvent("sheet-queue", { detail: { key: storeKey } }));
    render();
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
  }

  function fields() {
    return Array.from(form.querySelectorAll("fieldset[data-criterion]"));
  }

  function fieldFor(code) {
    return fields().find((f) => f.dataset.criterion === code);
  }

  function valueOf(fieldset) {
    const checked = fieldset.querySelector("input[type=radio]:checked");
    if (checked) {
      return checked.value;
    }
    const number = fieldset.querySelector("input[type=number]");
    return number ? number.value.trim() : "";
  }

  function show(fieldset, value) {
    for (const radio of fieldset.querySelectorAll("input[type=radio]")) {
      radio.checked = radio.value === String(value ?? "");
    }
    const number = fieldset.querySelector("input[type=number]");
    if (number) {
      number.value = value ?? "";
    }
  }

  function note(fieldset, message, isError) {
    const place = fieldset.querySelector(".field-state");
    place.textContent = message;
    place.classList.toggle("error", Boolean(isError));
    fieldset.classList.toggle("has-error", Boolean(isError));
    for (const input of fieldset.querySelectorAll("input[type=radio], input[type=number]")) {
      if (isError) {
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
    }
  }

  function close(message) {
    readonly = true;
    for (const control of form.querySelectorAll("input, button")) {
      if (control.type !== "hidden") {
        control.disabled = true;
      }
    }
    for (const button of form.querySelectorAll(".step-down, .step-up")) {
      button.hidden = true;
    }
    sheetMessage = message;
  }

  // Exact decimal check without floating point: value and step as scaled integers.
  function onStep(value, step) {
    const places = Math.max(decimals(value), decimals(step));
    const scale = 10 ** places;
    return Math.round(Number(value) * scale) % Math.round(Number(step) * scale) === 0;
  }

  function decimals(number) {
    const part = String(number).split(".")[1];
    return part ? part.length : 0;
  }

  function problem(fieldset, value) {
    const max = fieldset.dataset.entryMax;
    const step = fieldset.dataset.step;
    if (!/^\d+(\.\d+)?$/.test(value) || Number(value) > Number(max)) {
      return format(text.range, { max });
    }
    if (!onStep(value, step)) {
      return format(text.step, { step });
    }
    return null;
  }

  // --- running totals -------------------------------------------------------------------------

  function totals() {
    const sums = new Map();
    for (const fieldset of fields()) {
      const component = fieldset.closest("[data-component]").dataset.component;
      const value = valueOf(fieldset);
      if (!sums.has(component)) {
        sums.set(component, { sum: 0, complete: true });
      }
      const total = sums.get(component);
      if (value === "" || problem(fieldset, value)) {
        total.complete = false;
        continue;
      }
      const scale = fieldset.dataset.scale;
      total.sum += scale ? (Number(value) / Number(scale)) * Number(fieldset.dataset.max) : Number(value);
    }
    for (const [component, total] of sums) {
      const output = form.querySelector(`output[data-total-for="${component}"]`);
      output.textContent = total.sum.toFixed(2) + (total.complete ? "" : " …");
    }
  }

  // --- the queue --------------------------------------------------------------------------------

  function pending(fieldset) {
    return queue.some((e) => e.type === "value" && e.criterion === fieldset.dataset.criterion);
  }

  // A value typed but not yet handed to the queue (the judge is still typing).
  function unsent(fieldset) {
    const value = valueOf(fieldset);
    return (
      value !== "" &&
      value !== fieldset.dataset.saved &&
      !pending(fieldset) &&
      !fieldset.classList.contains("has-error")
    );
  }

  function render() {
    const waiting = queue.length;
    const refused = form.querySelectorAll("fieldset.has-error").length;
    const typing = readonly ? 0 : fields().filter(unsent).length;
    let message = text.saved;
    let state = "saved";
    if (stopped) {
      message = text.login;
      state = "error";
    } else if (waiting && offline) {
      message = format(text.offline, { n: waiting });
      state = "offline";
    } else if (refused) {
      message = format(text.unsaved, { n: refused });
      state = "error";
    } else if (sheetMessage) {
      message = sheetMessage;
      state = "error";
    } else if (waiting || typing) {
      message = sending ? text.saving : format(text.queued, { n: waiting + typing });
      state = "saving";
    } else if (submitted) {
      message = text.submitted + " · " + text.saved;
    }
    status.textContent = message;
    status.dataset.state = state;
    queueNote.hidden = waiting === 0;
    queueNote.textContent = waiting ? format(offline ? text.offline : text.queued, { n: waiting }) : "";
    for (const fieldset of fields()) {
      fieldset.classList.toggle("pending", pending(fieldset));
    }
    reasonField.hidden = !submitted;
  }

  function enqueue(code, value) {
    const fieldset = fieldFor(code);
    const error = problem(fieldset, value);
    if (error) {
      note(fieldset, error, true); // the value stays, marked invalid, and is not sent
      render();
      return;
    }
    const reason = reasonInput.value.trim() || null;
    if (submitted && !reason) {
      note(fieldset, text.reason, true);
      render();
      reasonInput.focus();
      return;
    }
    sheetMessage = "";
    const base = fieldset.dataset.version === "" ? null : Number(fieldset.dataset.version);
    const waiting = queue.findIndex((e) => e.type === "value" && e.criterion === code && !e.inflight);
    const entry = { type: "value", criterion: code, value, reason, key: newKey(), base, ...where };
    if (waiting >= 0) {
      entry.base = queue[waiting].base; // still based on what the judge saw first
      queue[waiting] = entry;
    } else {
      const flying = queue.find((e) => e.type === "value" && e.criterion === code && e.inflight);
      if (flying) {
        entry.base = flying.base; // rebased on the answer to the entry in flight
      }
      queue.push(entry);
    }
    note(fieldset, text.fieldWaiting, false);
    persist();
    pump();
  }

  function send(entry) {
    return window.sendSheetEntry(api, entry, csrf); // queue.js
  }

  //: Refusals that close the whole sheet: nothing more can be saved on it now.
  const CLOSING = ["published", "locked", "scoring_closed", "absent", "double_entry"];

  function settle(entry, answer) {
    const fieldset = entry.type === "value" ? fieldFor(entry.criterion) : null;
    if (answer.status === 200) {
      sheetMessage = "";
    }
    if (answer.status === 200 && entry.type === "value") {
      const score = answer.data.score;
      fieldset.dataset.version = score.version;
      fieldset.dataset.saved = score.value;
      form.querySelector(`input[name="version-${entry.criterion}"]`).value = score.version;
      for (const later of queue) {
        if (later !== entry && later.type === "value" && later.criterion === entry.criterion) {
          later.base = score.version;
        }
      }
      note(fieldset, text.fieldSaved, false);
    } else if (answer.status === 200) {
      submitted = Boolean(answer.data.submitted);
      for (const item of answer.data.criteria || []) {
        const target = fieldFor(item.code);
        if (target && item.score) {
          target.dataset.version = item.score.version; // submitting moves every version on
          form.querySelector(`input[name="version-${item.code}"]`).value = item.score.version;
          note(target, text.submitted, false);
        }
      }
      if (answer.data.closed) {
        close(answer.data.closed.message || ""); // a re-score done: the sheet closes again
        sheetMessage = "";
      }
    } else if (answer.status === 409 && answer.data.error === "conflict" && fieldset) {
      fieldset.dataset.version = answer.data.version ?? "";
      fieldset.dataset.saved = answer.data.value ?? ""; // what is stored now, shown
      show(fieldset, answer.data.value);
      note(fieldset, format(text.conflict, { value: answer.data.value ?? "—" }), true);
      queue = queue.filter((e) => !(e.type === "value" && e.criterion === entry.criterion && e !== entry));
    } else if (CLOSING.includes(answer.data.error)) {
      if (fieldset) {
        show(fieldset, fieldset.dataset.saved); // nothing was saved: what is stored stays
        note(fieldset, answer.data.message || "", true);
      }
      close(answer.data.message || "");
    } else if (fieldset) {
      // The value itself was refused: it stays in its field, marked invalid, with why (and
      // is not sent again unless the judge changes it).
      fieldset.dataset.refused = entry.value;
      note(fieldset, answer.data.message || "", true);
    } else {
      sheetMessage = answer.data.message || "";
    }
    totals();
  }

  async function pump() {
    if (sending || stopped || !queue.length) {
      render();
      return;
    }
    sending = true;
    const entry = queue[0];
    entry.inflight = true;
    render();
    let answer;
    try {
      answer = await send(entry);
    } catch (error) {
      answer = null; // the network is down
    }
    sending = false;
    if (answer === null || answer.status >= 500) {
      entry.inflight = false;
      offline = true;
      persist();
      clearTimeout(retryTimer);
      retryTimer = setTimeout(pump, backoff);
      backoff = Math.min(backoff * 2, 15000);
      return;
    }
    offline = false;
    backoff = 1000;
    if (answer.status === 401) {
      entry.inflight = false;
      stopped = true; // keep everything on the tablet until the judge logs in again
      persist();
      return;
    }
    queue = queue.filter((e) => e !== entry);
    settle(entry, answer);
    persist();
    pump();
  }

  // --- wiring ---------------------------------------------------------------------------------------

  for (const fieldset of fields()) {
    const code = fieldset.dataset.criterion;
    const number = fieldset.querySelector("input[type=number]");
    for (const radio of fieldset.querySelectorAll("input[type=radio]")) {
      radio.disabled = readonly;
      radio.addEventListener("change", () => {
        totals();
        enqueue(code, radio.value);
      });
    }
    if (number) {
      number.disabled = readonly;
      const commit = () => {
        clearTimeout(timers.get(code));
        const value = number.value.trim();
        if (value !== "" && value === fieldset.dataset.refused) {
          return; // refused already: it stays marked until the judge changes it
        }
        delete fieldset.dataset.refused;
        if (value !== "" && value !== fieldset.dataset.saved) {
          enqueue(code, value);
        } else if (fieldset.classList.contains("has-error") && !pending(fieldset)) {
          note(fieldset, "", false); // back to what is stored, or emptied: nothing refused
          render();
        }
      };
      number.addEventListener("input", () => {
        totals();
        render();
        clearTimeout(timers.get(code));
        timers.set(code, setTimeout(commit, 900));
      });
      number.addEventListener("change", commit);
      for (const [selector, direction] of [[".step-down", -1], [".step-up", 1]]) {
        const button = fieldset.querySelector(selector);
        button.hidden = readonly;
        button.disabled = readonly;
        button.addEventListener("click", () => {
          const step = Number(fieldset.dataset.step);
          const places = decimals(fieldset.dataset.step);
          const next = Math.min(
            Number(fieldset.dataset.entryMax),
            Math.max(0, (Number(number.value || 0) + direction * step)),
          );
          number.value = next.toFixed(places);
          totals();
          commit();
        });
      }
    }
  }

  // A field still holding a value that was refused (not the stored one): it must be
  // corrected before the sheet is submitted.
  function holdsRefused(fieldset) {
    return fieldset.classList.contains("has-error") && valueOf(fieldset) !== fieldset.dataset.saved;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (readonly) {
      return;
    }
    if (fields().some(holdsRefused)) {
      render();
      return;
    }
    for (const fieldset of fields()) {
      const value = valueOf(fieldset);
      if (value !== "" && value !== fieldset.dataset.saved) {
        enqueue(fieldset.dataset.criterion, value);
      }
    }
    if (fields().some((f) => valueOf(f) === "")) {
      sheetMessage = text.incomplete;
      render();
      return;
    }
    if (fields().some(holdsRefused)) {
      render(); // refused on the tablet just now
      return;
    }
    sheetMessage = "";
    queue.push({ type: "submit", key: newKey(), ...where });
    persist();
    pump();
  });

  window.addEventListener("online", () => {
    clearTimeout(retryTimer);
    pump();
  });
  window.addEventListener("offline", () => {
    offline = true;
    render();
  });

  // Entries still waiting from before a reload: show them in their fields.
  for (const entry of queue) {
    if (entry.type === "value" && fieldFor(entry.criterion)) {
      show(fieldFor(entry.criterion), entry.value);
      note(fieldFor(entry.criterion), text.fieldWaiting, false);
    }
  }
  // Entries the server refused while another page sent them: shown refused, then let go.
  for (const entry of refusedElsewhere) {
    const fieldset = entry.type === "value" ? fieldFor(entry.criterion) : null;
    if (fieldset) {
      show(fieldset, entry.value);
      note(fieldset, entry.refused, true);
    } else {
      sheetMessage = entry.refused;
    }
  }
  if (refusedElsewhere.length) {
    persist();
  }
  totals();
  render();
  pump();
})();
