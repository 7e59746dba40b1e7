// The kiosk's idle timer (rule K4): after a quiet spell, go home and forget the visit.
(function () {
  "use strict";
  var screen = document.getElementById("screen");
  if (!screen) return;
  var idleSeconds = parseInt(screen.dataset.idleSeconds || "60", 10);
  var homeUrl = screen.dataset.homeUrl || "/";
  var timer = null;

  function goHome() {
    // A full reload: no state from the last person survives in the page.
    fetch(homeUrl + "reset", {
      method: "POST",
      headers: { "X-CSRFToken": JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] },
      credentials: "same-origin",
    }).finally(function () { window.location.replace(homeUrl); });
  }
  function restart() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(goHome, idleSeconds * 1000);
  }
  ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, restart, { passive: true, capture: true });
  });
  document.body.addEventListener("htmx:afterSwap", restart);
  restart();
})();
