// Progressive enhancement only: every page works without it.
// The inbox listens to the server's event stream: each new request goes on top, a changed
// one is replaced where it is.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const rows = document.getElementById("inbox-rows");
  if (!rows || !rows.dataset.live || !window.EventSource) return;
  const status = document.getElementById("live-status");
  const stream = new EventSource(rows.dataset.live);
  stream.addEventListener("open", () => { status.textContent = "Mise à jour en direct."; });
  stream.addEventListener("error", () => { status.textContent = "Connexion perdue, nouvel essai…"; });
  // The server ends a stream for good (another tab took its place, the session is over).
  stream.addEventListener("fin", (event) => {
    stream.close();
    status.textContent = JSON.parse(event.data).message;
  });
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
