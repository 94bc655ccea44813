// Progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("submit", (event) => {
  // Buttons that change something important ask first: <button data-confirm="…">.
  const button = event.submitter;
  const question = button && button.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Organiser's award rules: show only the inputs of the chosen way of selecting.
// Without this script every input is shown and the form still works.
(() => {
  document.documentElement.classList.add("organise-js");
  const update = (block) => {
    const select = block.querySelector("[data-organise-way-select]");
    if (!select) return;
    block.querySelectorAll("[data-organise-way-of]").forEach((part) => {
      part.classList.toggle("organise-hidden", part.dataset.organiseWayOf !== select.value);
    });
  };
  const blocks = () => document.querySelectorAll("[data-organise-way]");
  const start = () => blocks().forEach(update);
  document.addEventListener("change", (event) => {
    const block = event.target.closest && event.target.closest("[data-organise-way]");
    if (block) update(block);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
