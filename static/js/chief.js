// The chief judge's desk: the progress matrix and the list of what needs attention refresh
// by themselves every few seconds, from a fragment of the page, without reloading it (so
// forms being filled in below are left alone). Without this file the desk still works:
// its "Refresh" link reloads the page.
"use strict";

(() => {
  const live = document.querySelector("[data-chief-live]");
  if (!live || !window.fetch || !window.DOMParser) {
    return;
  }
  const url = live.dataset.chiefLive;
  const every = Math.max(5, Number(live.dataset.chiefInterval) || 15) * 1000;
  const stale = live.querySelector("[data-chief-stale]");
  let busy = false;
  let timer = null;

  function body() {
    return live.querySelector("[data-chief-live-body]");
  }

  function showStale(isStale) {
    if (stale) {
      stale.hidden = !isStale;
    }
  }

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  async function refresh() {
    if (busy || document.hidden) {
      return;
    }
    const current = body();
    // Someone is moving through the matrix with the keyboard: do not pull it from under them.
    if (!current || current.contains(document.activeElement)) {
      return;
    }
    busy = true;
    live.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "text/html", "X-Requested-With": "fetch" },
      });
      if (response.redirected || response.status === 401 || response.status === 403) {
        // Logged out, or no longer allowed: stop asking, say the figures are old.
        stop();
        showStale(true);
        return;
      }
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      const html = await response.text();
      const fresh = new DOMParser()
        .parseFromString(html, "text/html")
        .querySelector("[data-chief-live-body]");
      if (!fresh) {
        throw new Error("no fragment");
      }
      body().replaceWith(document.importNode(fresh, true));
      showStale(false);
    } catch (error) {
      showStale(true);
    } finally {
      busy = false;
      live.removeAttribute("aria-busy");
    }
  }

  timer = window.setInterval(refresh, every);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer !== null) {
      refresh();
    }
  });
})();
