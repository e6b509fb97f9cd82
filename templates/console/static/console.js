// Progressive enhancement only: every page works without it.
// The inbox listens to the server's event stream: each new request goes on top, a changed
// one is replaced where it is. The duty board's line (who is on a call, who waits) too.
"use strict";

// A page's event stream, its state said in #live-status (lost, back, ended for good).
function liveStream(url) {
  const status = document.getElementById("live-status");
  const stream = new EventSource(url);
  stream.addEventListener("open", () => { status.textContent = "Mise à jour en direct."; });
  stream.addEventListener("error", () => { status.textContent = "Connexion perdue, nouvel essai…"; });
  // The server ends a stream for good (another tab took its place, the session is over).
  stream.addEventListener("fin", (event) => {
    stream.close();
    status.textContent = JSON.parse(event.data).message;
  });
  return { stream, status };
}

document.addEventListener("DOMContentLoaded", () => {
  const line = document.getElementById("ligne");
  if (!line || !line.dataset.live || !window.EventSource) return;
  const { stream } = liveStream(line.dataset.live);
  stream.addEventListener("ligne", (event) => {
    const now = JSON.parse(event.data);
    const talking = document.getElementById("en-ligne");
    const waiting = document.getElementById("en-attente");
    if (talking.textContent !== now.on_a_call) talking.textContent = now.on_a_call;
    if (waiting.textContent !== now.waiting) waiting.textContent = now.waiting;
    waiting.classList.toggle("late", now.callers_waiting > 0);
  });
});

document.addEventListener("DOMContentLoaded", () => {
  const rows = document.getElementById("inbox-rows");
  if (!rows || !rows.dataset.live || !window.EventSource) return;
  const { stream, status } = liveStream(rows.dataset.live);
  stream.addEventListener("request", (event) => {
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
  });
});
