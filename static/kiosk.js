// The kiosk's own behaviour: idle timer (K4), PIN pad, QR scanner keystrokes, the in-page
// keyboard (Raspberry Pi OS's on-screen keyboards render beneath a kiosk window), and the
// return home after a confirmation.
(function () {
  "use strict";
  var screen = document.getElementById("screen");
  if (!screen) return;
  var idleSeconds = parseInt(screen.dataset.idleSeconds || "60", 10);
  var homeUrl = screen.dataset.homeUrl || "/";
  var idleTimer = null;
  var autoHomeTimer = null;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (e) {
      return "";
    }
  }

  // ---- Going home: a full reload, so nothing of the last person stays in the page ----
  function goHome() {
    fetch(homeUrl + "reset", {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    }).finally(function () {
      window.location.replace(homeUrl);
    });
  }
  // WCAG 2.2.1: warn before going home, and let one tap give more time.
  var WARNING_SECONDS = 15;
  var warning = document.querySelector("[data-idle-warning]");
  var warnTimer = null;
  function showWarning() {
    if (!warning) return;
    warning.hidden = false;
    var extend = warning.querySelector("[data-idle-extend]");
    if (extend) extend.focus();
  }
  function restartIdle() {
    if (idleTimer) clearTimeout(idleTimer);
    if (warnTimer) clearTimeout(warnTimer);
    if (warning) warning.hidden = true;
    var before = Math.max(1, idleSeconds - WARNING_SECONDS);
    if (idleSeconds > WARNING_SECONDS + 5) {
      warnTimer = setTimeout(showWarning, before * 1000);
    }
    idleTimer = setTimeout(goHome, idleSeconds * 1000);
  }
  ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, restartIdle, { passive: true, capture: true });
  });

  function armAutoHome() {
    if (autoHomeTimer) clearTimeout(autoHomeTimer);
    var marked = screen.querySelector("[data-auto-home]");
    if (marked) {
      autoHomeTimer = setTimeout(goHome, parseInt(marked.dataset.autoHome, 10) * 1000);
    }
  }

  // ---- PIN pad and QR scanner ----
  var PIN_LENGTH = 6;

  function credentialForm() {
    return screen.querySelector("[data-credential-form]");
  }
  function showDots(form) {
    var value = form.querySelector("[data-credential]").value;
    var digits = /^\d*$/.test(value) ? value.length : 0;
    screen.querySelectorAll(".pin-dots span").forEach(function (dot, i) {
      dot.classList.toggle("filled", i < digits);
    });
    var status = screen.querySelector("[data-pin-status]");
    if (status) status.textContent = digits + " / " + PIN_LENGTH;
  }
  function submitCredential(form) {
    if (form.dataset.sent) return;
    form.dataset.sent = "1";
    htmx.trigger(form, "submit");
  }

  screen.addEventListener("click", function (event) {
    var form = credentialForm();
    if (!form) return;
    var input = form.querySelector("[data-credential]");
    var key = event.target.closest("[data-digit], [data-clear]");
    if (!key || !form.contains(key)) return;
    if (key.hasAttribute("data-clear")) {
      input.value = input.value.slice(0, -1);
    } else if (input.value.length < PIN_LENGTH) {
      input.value += key.dataset.digit;
    }
    showDots(form);
    // A tapped PIN goes as soon as it is whole: one hand, no extra tap.
    if (/^\d{6}$/.test(input.value)) submitCredential(form);
  });

  // A USB scanner is a keyboard: it types the card's token, then Enter. A physical
  // keyboard's digits work the same way. Only on the identification screen.
  document.addEventListener("keydown", function (event) {
    var form = credentialForm();
    if (!form || event.target.closest("input, textarea, select")) return;
    var input = form.querySelector("[data-credential]");
    if (event.key === "Enter") {
      if (input.value) {
        event.preventDefault();
        submitCredential(form);
      }
    } else if (event.key === "Backspace") {
      input.value = input.value.slice(0, -1);
    } else if (event.key.length === 1 && input.value.length < 300) {
      input.value += event.key;
      event.preventDefault();
    }
    showDots(form);
  });

  // ---- The in-page keyboard for every text field ----
  var ROWS = [
    "1234567890",
    "qwertyuiop",
    "asdfghjkl'",
    "zxcvbnm-",
  ];
  var keyboard = null;
  var target = null;
  var shifted = false;
  var labels = screen.dataset;

  function buildKeyboard() {
    keyboard = document.createElement("div");
    keyboard.className = "keyboard";
    keyboard.setAttribute("role", "group");
    keyboard.setAttribute("aria-label", labels.labelKeyboard || "Keyboard");
    keyboard.hidden = true;
    ROWS.forEach(function (row) {
      var line = document.createElement("div");
      line.className = "keyboard-row";
      row.split("").forEach(function (ch) {
        line.appendChild(makeKey(ch, ch));
      });
      keyboard.appendChild(line);
    });
    var last = document.createElement("div");
    last.className = "keyboard-row";
    last.appendChild(makeKey("⇧", "shift", labels.labelShift || "Shift"));
    last.appendChild(makeKey("", "space", labels.labelSpace || "Space"));
    last.appendChild(makeKey("⌫", "backspace", labels.labelBackspace || "Backspace"));
    last.appendChild(makeKey("✓", "done", labels.labelHide || "Hide keyboard"));
    keyboard.appendChild(last);
    // Keep the focus in the field being typed into.
    keyboard.addEventListener("pointerdown", function (e) { e.preventDefault(); });
    keyboard.addEventListener("click", pressKey);
    document.body.appendChild(keyboard);
  }
  function makeKey(label, value, name) {
    var key = document.createElement("button");
    key.type = "button";
    key.className = "key key-" + (value.length > 1 ? value : "char");
    key.dataset.key = value;
    key.textContent = label;
    if (name) key.setAttribute("aria-label", name);
    return key;
  }
  function refreshCase() {
    keyboard.querySelectorAll(".key-char").forEach(function (key) {
      key.textContent = shifted ? key.dataset.key.toUpperCase() : key.dataset.key;
    });
  }
  function pressKey(event) {
    var key = event.target.closest("[data-key]");
    if (!key || !target) return;
    var value = key.dataset.key;
    if (value === "done") { hideKeyboard(); return; }
    if (value === "shift") { shifted = !shifted; refreshCase(); return; }
    var max = parseInt(target.getAttribute("maxlength") || "1000", 10);
    if (value === "backspace") {
      target.value = target.value.slice(0, -1);
    } else {
      var ch = value === "space" ? " " : value;
      if (shifted) { ch = ch.toUpperCase(); shifted = false; refreshCase(); }
      if (target.value.length < max) target.value += ch;
    }
    autoCapitalise();
    target.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function autoCapitalise() {
    // Names start each word with a capital, as a phone keyboard would; codes are capitals.
    if (target.dataset.keyboard === "code") {
      shifted = true;
      refreshCase();
    } else if (target.dataset.keyboard === "name") {
      var v = target.value;
      shifted = v.length === 0 || /[\s-]$/.test(v);
      refreshCase();
    }
  }
  function showKeyboard(input) {
    if (!keyboard) buildKeyboard();
    target = input;
    keyboard.hidden = false;
    document.body.classList.add("keyboard-open");
    autoCapitalise();
    keepAboveKeyboard(input);
  }
  function keepAboveKeyboard(input) {
    // The keyboard covers the bottom of the screen: scroll the field (and its label) to
    // just above it, so the person sees what they type.
    var room = keyboard.getBoundingClientRect().top;
    var field = input.getBoundingClientRect();
    var header = document.querySelector(".kiosk-header");
    var top = header ? header.getBoundingClientRect().bottom : 0;
    if (field.bottom > room - 12) {
      screen.scrollTop += field.bottom - room + 12;
    } else if (field.top < top + 36) {
      screen.scrollTop -= top + 36 - field.top;
    }
  }
  function hideKeyboard() {
    if (!keyboard) return;
    keyboard.hidden = true;
    document.body.classList.remove("keyboard-open");
    target = null;
  }
  document.addEventListener("focusin", function (event) {
    var input = event.target.closest("[data-keyboard]");
    if (input) showKeyboard(input);
  });

  // ---- Quick-fill chips (a common role), printing the badge ----
  screen.addEventListener("click", function (event) {
    var chip = event.target.closest("[data-fill]");
    if (chip) {
      var field = document.getElementById(chip.dataset.fill);
      if (field) {
        field.value = chip.dataset.value;
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
    if (event.target.closest("[data-print]")) window.print();
  });

  // Whatever the answer (a refusal, a lock-out, no answer at all), the pad and the forms are
  // usable again once it has come: nothing stays marked as "already sent".
  document.body.addEventListener("htmx:afterRequest", function () {
    screen.querySelectorAll("[data-sent]").forEach(function (form) {
      delete form.dataset.sent;
    });
  });

  // ---- After each screen change ----
  document.body.addEventListener("htmx:afterSwap", function () {
    // The screen says its language and direction (a parent's own, once they identify):
    // the whole page follows, so right-to-left languages mirror.
    var shown = screen.querySelector(".screen-body");
    if (shown) {
      document.documentElement.lang = shown.lang;
      document.documentElement.dir = shown.dir;
    }
    hideKeyboard();
    restartIdle();
    armAutoHome();
    if (screen.querySelector("[data-auto-print]")) window.print();
    // Move focus to the new screen's heading, so a screen reader hears where it is.
    var heading = screen.querySelector("h1");
    if (heading && !screen.querySelector("[autofocus]")) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  });

  restartIdle();
  armAutoHome();
})();
