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
