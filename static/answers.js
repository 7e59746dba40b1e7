// Every answer the server gives reaches the person, at the kiosk and in the panel alike.
// htmx 2 does not swap 4xx/5xx answers by itself. Doorbook marks each answer it writes for
// the page with the header X-Doorbook-Answer (an error is a partial for the place the person
// acted, or, for whole-page errors, for #answer): those are swapped like any other. What
// Doorbook did not write — no answer at all, a proxy's 502 page — is said here instead, in
// the page's own language (base.html renders the words).
(function () {
  "use strict";
  var answer = document.getElementById("answer");
  if (!answer) return;

  function say(text) {
    answer.textContent = "";
    var box = document.createElement("p");
    box.className = "answer-box";
    box.textContent = text;
    answer.appendChild(box);
  }
  function isLive(elt) {
    return !!(elt && elt.closest && elt.closest("[sse-swap], [id$='-live']"));
  }
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    // A new action by the person: the last answer no longer applies.
    if (!isLive(event.detail.elt)) answer.textContent = "";
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status < 400) return;
    if (xhr.getResponseHeader("X-Doorbook-Answer")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else {
      event.detail.shouldSwap = false;
      if (!isLive(event.detail.elt)) say(answer.dataset.unreachable);
    }
  });
  function unreachable(event) {
    if (!isLive(event.detail.elt)) say(answer.dataset.unreachable);
  }
  document.body.addEventListener("htmx:sendError", unreachable);
  document.body.addEventListener("htmx:timeout", unreachable);
})();
