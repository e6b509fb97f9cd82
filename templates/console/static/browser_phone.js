// The browser phone (console page /console/navigateur): Twilio's Voice SDK, served by
// Frontdoor, registered with a short-lived token minted by Frontdoor for this referent.
// Every state is said on the page, the failures too ("Hors ligne" when Twilio cannot be
// reached): a referent must never believe she is reachable when she is not.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const panel = document.getElementById("telephone");
  if (!panel) return;
  const state = document.getElementById("etat-telephone");
  const microphone = document.getElementById("etat-micro");
  const ringing = document.getElementById("appel-entrant");
  const talking = document.getElementById("en-appel");
  const say = (text) => { state.textContent = text; panel.dataset.state = text; };
  let current = null;

  async function freshToken() {
    const answer = await fetch(panel.dataset.tokenUrl, {
      method: "POST",
      headers: { "X-CSRF-Token": panel.dataset.csrf },
      credentials: "same-origin",
    });
    if (!answer.ok) throw new Error(await answer.text());
    return (await answer.json()).token;
  }

  async function askMicrophone() {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      stream.getTracks().forEach((track) => track.stop());
      microphone.textContent = "autorisé";
      return true;
    } catch (refused) {
      microphone.textContent = "refusé : autorisez le micro pour ce site";
      return false;
    }
  }

  function during(call) {
    current = call;
    ringing.hidden = true;
    talking.hidden = false;
    say("En communication");
    call.on("disconnect", () => { current = null; talking.hidden = true; say("Prêt"); });
  }

  async function start() {
    if (!window.Twilio || !window.Twilio.Device) {
      say("Hors ligne : le module téléphone n'a pas pu être chargé");
      return;
    }
    if (!(await askMicrophone())) { say("Hors ligne : micro refusé"); return; }
    let token;
    try { token = await freshToken(); } catch (error) {
      say(`Hors ligne : ${error.message}`);
      return;
    }
    // Sounds would come from Twilio's CDN: none, the page shows the ringing instead.
    const device = new window.Twilio.Device(token, {
      closeProtection: "Un appel est en cours : quitter la page le coupe.",
      codecPreferences: ["opus", "pcmu"],
      disableAudioContextSounds: true,
      sounds: {},
    });
    device.audio.incoming(false);
    device.audio.outgoing(false);
    device.audio.disconnect(false);
    device.on("registering", () => say("Connexion à Twilio…"));
    device.on("registered", () => say("Prêt"));
    device.on("unregistered", () => say("Hors ligne"));
    device.on("error", (error) => {
      say(`Hors ligne : Twilio injoignable (${error.code || error.name || "erreur"})`);
    });
    device.on("tokenWillExpire", async () => {
      try { device.updateToken(await freshToken()); } catch (error) { say("Hors ligne : jeton non renouvelé"); }
    });
    device.on("incoming", (call) => {
      current = call;
      ringing.hidden = false;
      say("Appel entrant");
      call.on("cancel", () => { current = null; ringing.hidden = true; say("Prêt"); });
    });
    document.getElementById("decrocher").addEventListener("click", () => {
      if (current) { current.accept(); during(current); }
    });
    document.getElementById("refuser").addEventListener("click", () => {
      if (current) { current.reject(); current = null; ringing.hidden = true; say("Prêt"); }
    });
    document.getElementById("touche-1").addEventListener("click", () => {
      if (current) current.sendDigits("1");
    });
    document.getElementById("raccrocher").addEventListener("click", () => {
      if (current) current.disconnect();
    });
    const callback = document.getElementById("rappeler");
    if (callback) {
      callback.addEventListener("click", async () => {
        say("Appel en cours…");
        try {
          during(await device.connect({ params: { task: callback.dataset.task } }));
        } catch (error) {
          say(`Hors ligne : Twilio injoignable (${error.code || error.name || "erreur"})`);
        }
      });
    }
    window.frontdoorDevice = device;
    if (panel.dataset.incoming === "oui") {
      say("Connexion à Twilio…");
      try { await device.register(); } catch (error) {
        say(`Hors ligne : Twilio injoignable (${error.code || error.name || "erreur"})`);
      }
    } else {
      say("Pour les rappels seulement : les appels de la permanence sonnent sur votre portable");
    }
  }

  start();
});
