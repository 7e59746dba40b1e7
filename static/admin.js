// The panel's live behaviour: a chime for each new alert, repeated while any alert is not
// yet acknowledged; a sound switch (browsers allow sound only after a click); the live
// connection's status. Updates never move the keyboard focus.
(function () {
  "use strict";
  var chime = document.getElementById("chime");
  var toggle = document.querySelector("[data-sound-toggle]");
  var status = document.querySelector("[data-live-status]");
  var soundOn = sessionStorage.getItem("doorbook-sound") !== "off";
  var newestSeen = null;
  var repeatTimer = null;

  function showSound() {
    if (!toggle) return;
    toggle.textContent = soundOn ? "Sound: on" : "Sound: off";
    toggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
  }
  function play() {
    if (!soundOn || !chime) return;
    chime.currentTime = 0;
    var playing = chime.play();
    if (playing && playing.catch) {
      playing.catch(function () {
        // Blocked until the page is clicked: show that sound is off, so it is noticed.
        soundOn = false;
        showSound();
      });
    }
  }
  if (toggle) {
    toggle.addEventListener("click", function () {
      soundOn = !soundOn;
      sessionStorage.setItem("doorbook-sound", soundOn ? "on" : "off");
      showSound();
      if (soundOn) play();
    });
  }
  showSound();

  // The header's alert summary is on every admin page (admin/_alert_summary.html).
  function checkAlerts() {
    var section = document.getElementById("alert-summary");
    if (!section) return;
    var newest = parseInt(section.dataset.newestAlert || "0", 10);
    var waiting = parseInt(section.dataset.unacknowledged || "0", 10);
    var repeat = parseInt(section.dataset.repeatSeconds || "60", 10) * 1000;
    if (newestSeen !== null && newest > newestSeen) play();
    newestSeen = Math.max(newestSeen || 0, newest);
    if (repeatTimer) clearInterval(repeatTimer);
    repeatTimer = waiting > 0 ? setInterval(play, repeat) : null;
    document.title = (waiting > 0 ? "(" + waiting + ") " : "") + document.title.replace(/^\(\d+\) /, "");
  }

  document.body.addEventListener("htmx:afterSwap", checkAlerts);

  // The parts of the page the event stream refreshes, and the event that refreshes each.
  function liveParts() {
    return Array.prototype.slice.call(document.querySelectorAll("[hx-trigger^='sse:']"));
  }
  function refresh(part) {
    var first = part.getAttribute("hx-trigger").split(",")[0].trim();
    htmx.trigger(part, first);
  }

  // A live update never takes the keyboard focus, nor what someone is typing: while focus
  // is inside a part of the page, its refresh waits until focus leaves it.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var part = event.detail.elt;
    if (!part.id || !/-live$/.test(part.id)) return;
    var active = document.activeElement;
    if (active && active !== document.body && part.contains(active)) {
      event.preventDefault();
      part.dataset.refreshWaiting = "1";
    }
  });
  document.body.addEventListener("focusout", function (event) {
    var part = event.target.closest && event.target.closest("[id$='-live']");
    if (!part || !part.dataset.refreshWaiting) return;
    setTimeout(function () {
      if (part.contains(document.activeElement)) return;
      delete part.dataset.refreshWaiting;
      refresh(part);
    }, 0);
  });
  // An answer shown in a part (what an action did, or why it could not be done) stays until
  // the person acts again: a live refresh of that part brings it back with the new content.
  var keptAnswers = new WeakMap();
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var part = event.detail.elt;
    if (!part.id || !/-live$/.test(part.id)) return;
    var answer = part.querySelector(".notice");
    if (answer) keptAnswers.set(part, answer);
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var part = event.detail.elt;
    var answer = keptAnswers.get(part);
    if (!answer) return;
    keptAnswers.delete(part);
    if (part.querySelector(".notice")) return;
    var heading = part.querySelector("h2");
    if (heading) heading.insertAdjacentElement("afterend", answer);
  });
  document.body.addEventListener("htmx:sseOpen", function () {
    if (status) status.textContent = "Live: updates appear here as they happen.";
    // After a reconnect (a server restart, a dropped network), fetch everything again.
    liveParts().forEach(refresh);
  });
  document.body.addEventListener("htmx:sseError", function () {
    if (status) status.textContent = "Reconnecting to live updates…";
  });
  document.body.addEventListener("sse:logged-out", function () {
    window.location.reload();
  });
  document.body.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  checkAlerts();
})();
