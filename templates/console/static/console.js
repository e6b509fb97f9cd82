// Progressive enhancement only: every page works without it.
// The inbox listens to the server's event stream: each new request goes on top, a changed
// one is replaced where it is. The duty board's line (who is on a call, who waits) too.
"use strict";

// After a stream the browser gave up on, the first new try's delay, doubled at each failure.
const RETRY_FIRST_MS = 3000;
const RETRY_LONGEST_MS = 5 * 60 * 1000;

// A page's event stream, its state said in #live-status (lost, back, ended for good), each of
// `listeners` called with its kind of event. The browser asks again by itself after a stream
// is cut, but gives up when an answer is not a stream (the console yields to the callers for
// a moment, an instance restarts, the proxy has none to offer): then it is asked again here,
// a few seconds later and less often at each failure, until the server ends it for good.
function liveStream(url, listeners) {
  const status = document.getElementById("live-status");
  let retryMs = RETRY_FIRST_MS;
  let endedForGood = false;
  const open = () => {
    const stream = new EventSource(url);
    stream.addEventListener("open", () => {
      retryMs = RETRY_FIRST_MS;
      status.textContent = "Mise à jour en direct.";
    });
    stream.addEventListener("error", () => {
      status.textContent = "Connexion perdue, nouvel essai…";
      if (stream.readyState !== EventSource.CLOSED || endedForGood) return;
      setTimeout(open, retryMs * (1 + Math.random()));  // not every tab at the same moment
      retryMs = Math.min(2 * retryMs, RETRY_LONGEST_MS);
    });
    // The server ends a stream for good (another tab took its place, the session is over).
    stream.addEventListener("fin", (event) => {
      endedForGood = true;
      stream.close();
      status.textContent = JSON.parse(event.data).message;
    });
    for (const [kind, listener] of Object.entries(listeners)) {
      stream.addEventListener(kind, listener);
    }
  };
  open();
  return status;
}

document.addEventListener("DOMContentLoaded", () => {
  const line = document.getElementById("ligne");
  if (!line || !line.dataset.live || !window.EventSource) return;
  liveStream(line.dataset.live, {
    ligne: (event) => {
      const now = JSON.parse(event.data);
      const talking = document.getElementById("en-ligne");
      const waiting = document.getElementById("en-attente");
      if (talking.textContent !== now.on_a_call) talking.textContent = now.on_a_call;
      if (waiting.textContent !== now.waiting) waiting.textContent = now.waiting;
      waiting.classList.toggle("late", now.callers_waiting > 0);
    },
  });
});

document.addEventListener("DOMContentLoaded", () => {
  const rows = document.getElementById("inbox-rows");
  if (!rows || !rows.dataset.live || !window.EventSource) return;
  const status = liveStream(rows.dataset.live, {
    request: (event) => {
      const { id, html } = JSON.parse(event.data);
      const template = document.createElement("template");
      template.innerHTML = html.trim();
      const row = template.content.firstElementChild;
      const shown = document.getElementById(`demande-${id}`);
      if (shown) {  // a request that changed: taken, closed, its callback late…
        if (shown.classList.contains("new")) row.classList.add("new");
        shown.replaceWith(row);
        return;
      }
      const newest = rows.querySelector("tr[id^='demande-']");
      if (newest && Number(newest.id.slice("demande-".length)) > id) return;  // not on this page
      row.classList.add("new");
      rows.prepend(row);
      const empty = document.getElementById("empty");
      if (empty) empty.remove();
      status.textContent = `Nouvelle demande n° ${id}.`;
    },
  });
});
