// The proctor's console: the room's table is fetched again every few seconds, unless the
// proctor is giving a reason or has an entrant's actions open.
"use strict";

(() => {
  const room = document.getElementById("proctor-room");
  if (!room || !window.fetch) {
    return;
  }
  async function refresh() {
    const busy = room.querySelector("details[open]") || room.contains(document.activeElement);
    if (!busy) {
      try {
        const response = await fetch(room.dataset.refresh, { credentials: "same-origin" });
        if (response.ok) {
          room.innerHTML = await response.text();
        }
      } catch (error) {
        // the network is down: the table stays as it was
      }
    }
    window.setTimeout(refresh, 5000);
  }
  window.setTimeout(refresh, 5000);
})();
