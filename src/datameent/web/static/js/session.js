/* The end of a browser session that has nothing to do (DATAMEENT_SESSION_IDLE_MINUTES).
 *
 * The server ends a session when no request comes for a while: someone left a computer in a
 * library or at a desk logged in. This script makes that humane and finishes the job:
 * - typing, clicking or scrolling counts as activity: it tells the server (at most once a
 *   minute), so that someone writing a long text is not logged out under their hands;
 * - two minutes before the end, a dialog asks "Are you still there?" with one button to stay
 *   logged in (WCAG 2.2.1, Timing Adjustable);
 * - at the end it leaves the page for the login page, so that the data shown are no longer
 *   on the screen for the next person.
 * Without scripts the server still ends the session; the page then stays until someone acts.
 */
(function () {
  "use strict";
  const box = document.getElementById("sessie");
  if (!box) return;
  const margin = 60 * 1000; // the server moves its end on at most once a minute
  const slack = 5 * 1000;
  const warnBefore = 120 * 1000;
  let deadline = Date.now() + Number(box.dataset.seconds) * 1000;
  let lastPing = Date.now();
  let pinging = false;
  const button = box.querySelector("button");

  const leave = () => window.location.assign(box.dataset.ended);

  const ping = () => {
    if (pinging) return;
    pinging = true;
    lastPing = Date.now();
    fetch(box.dataset.ping, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => {
        if (r.status === 401) return null; // the session has ended already
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then((body) => {
        if (!body) return leave();
        deadline = Date.now() + body.seconds * 1000;
        hide();
      })
      .catch(() => {}) // offline, or the server busy for a moment: the timer goes on
      .finally(() => { pinging = false; });
  };

  let before = null; // where the keyboard was when the dialog took it
  const show = () => {
    if (!box.hidden) return;
    before = document.activeElement;
    box.hidden = false;
    button.focus();
  };
  const hide = () => {
    if (box.hidden) return;
    const had = box.contains(document.activeElement);
    box.hidden = true;
    if (had && before && before.isConnected && before.focus) before.focus();
  };

  const active = () => {
    if (!box.hidden || Date.now() - lastPing > margin) ping();
  };
  for (const kind of ["keydown", "input", "pointerdown", "scroll"]) {
    document.addEventListener(kind, active, { passive: true, capture: true });
  }
  // Requests the page makes by itself (htmx) keep the session alive on the server too; their
  // responses say for how long.
  document.addEventListener("htmx:afterRequest", (event) => {
    const xhr = event.detail && event.detail.xhr;
    const seconds = xhr ? Number(xhr.getResponseHeader("X-Session-Seconds")) : 0;
    if (seconds > 0) {
      deadline = Date.now() + seconds * 1000;
      lastPing = Date.now();
      hide();
    }
  });
  button.addEventListener("click", ping);

  const tick = () => {
    const left = deadline - Date.now();
    if (left <= -slack) return leave(); // a moment after the server, never before it
    if (left <= warnBefore) show();
  };
  window.setInterval(tick, 5000);
  document.addEventListener("visibilitychange", tick); // a laptop that wakes up
})();
