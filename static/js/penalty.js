// Recording a penalty on the chief judge's desk: choosing (or typing) a kind fills in the
// points with the trade's standard for it (扣分标准), unless the chief judge has typed other
// points. Without this file the form still works: empty points take the standard.
"use strict";

(() => {
  const kind = document.querySelector("[data-penalty-standards]");
  if (!kind || !kind.form) {
    return;
  }
  let standards = {};
  try {
    standards = JSON.parse(kind.dataset.penaltyStandards || "{}");
  } catch (error) {
    return;
  }
  const points = kind.form.querySelector("input[name$='-points']");
  const other = kind.form.querySelector("input[name$='-other_kind']");
  if (!points) {
    return;
  }
  let filled = ""; // the points this script put there last

  function fill() {
    const chosen = (other && other.value.trim()) || kind.value;
    const standard = Object.prototype.hasOwnProperty.call(standards, chosen)
      ? String(standards[chosen])
      : "";
    if (points.value === "" || points.value === filled) {
      points.value = standard;
      filled = standard;
    }
  }

  kind.addEventListener("change", fill);
  if (other) {
    other.addEventListener("input", fill);
  }
})();
