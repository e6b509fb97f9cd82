// Progressive enhancement only: every page works without it.
// The inbox listens to the server's event stream and puts each new request on top.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const rows = document.getElementById("inbox-rows");
  if (!rows || !rows.dataset.live || !window.EventSource) return;
  const status = document.getElementById("live-status");
  const stream = new EventSource(rows.dataset.live);
  stream.addEventListener("open", () => { status.textContent = "Mise à jour en direct."; });
  stream.addEventListener("error", () => { status.textContent = "Connexion perdue, nouvel essai…"; });
  stream.addEventListener("request", (event) => {
    const { id, html } = JSON.parse(event.data);
    if (document.getElementById(`demande-${id}`)) return;
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const row = template.content.firstElementChild;
    row.classList.add("new");
    rows.prepend(row);
    const empty = document.getElementById("empty");
    if (empty) empty.remove();
    status.textContent = `Nouvelle demande n° ${id}.`;
  });
});
