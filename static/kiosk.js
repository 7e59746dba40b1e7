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
  // simple-keyboard (npm, served from static/vendor/) draws the keys; the layouts come from
  // simple-keyboard-layouts for the screen's language. Loaded on first use, so the home
  // page stays small. What a key does to the field is decided here.
  // Where they are: the page and each screen say (doorbook/languages.py: KEYBOARD_LAYOUTS).
  var NON_LATIN = { ur: true, ar: true };
  // Romanian has no layout in the library: the Romanian standard keyboard is the English one
  // with ă î â ș ț where [ ] \ ; ' are.
  var ROMANIAN = {
    "[": "ă", "]": "î", "\\": "â", ";": "ș", "'": "ț",
    "{": "Ă", "}": "Î", "|": "Â", ":": "Ș", '"': "Ț",
  };
  // Letters with accents from every language a family may write a name in, and the
  // punctuation a message needs, one tap away on every layout.
  var ACCENTS = [
    "à á â ã ä å ą ā æ ç ć č {bksp}",
    "è é ê ë ę ě ì í î ï ğ ł ñ ń",
    "{shift} ò ó ô õ ö ø ő ř ś ș ş š {shift}",
    "ß ț ţ ù ú û ü ů ű ý ÿ ź ż ž",
    "{letters} + : ; ? ! ( ) / & {space} {next}",
  ];

  var keyboard = null; // { sk: SimpleKeyboard, element, language, base }
  var target = null;
  var layer = "base"; // base | accents | latin
  var shifted = false;
  var loading = null;

  function words() {
    var body = screen.querySelector(".screen-body");
    return body ? body.dataset : {};
  }
  function screenLanguage() {
    return words().language || "en_GB";
  }

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }
  function adaptRows(rows, language) {
    // The library's layouts are for a desktop: no tab, caps lock, enter or ".com" here;
    // the last row is the kiosk's own.
    var kept = rows.slice(0, 4).map(function (row) {
      return row.split(" ").filter(function (key) {
        return ["{tab}", "{lock}", "{enter}", ".com"].indexOf(key) < 0;
      }).map(function (key) {
        return language === "ro" && ROMANIAN[key] ? ROMANIAN[key] : key;
      }).join(" ");
    });
    return kept;
  }
  function upper(rows) {
    return rows.map(function (row) {
      return row.split(" ").map(function (key) {
        return key.charAt(0) === "{" || key === "ß" ? key : key.toUpperCase();
      }).join(" ");
    });
  }
  function buildLayout(language, native, english) {
    var bottomBase = NON_LATIN[language] ? "{latin} , {space} . {next}" : "{accents} , {space} . {next}";
    var layout = {
      default: adaptRows(native.layout.default, language).concat([bottomBase]),
      shift: adaptRows(native.layout.shift, language).concat([bottomBase]),
      accents: ACCENTS,
      accentsShift: upper(ACCENTS),
    };
    if (NON_LATIN[language]) {
      var bottomLatin = "{native} {accents} {space} . {next}";
      layout.latin = adaptRows(english.layout.default, "en_GB").concat([bottomLatin]);
      layout.latinShift = adaptRows(english.layout.shift, "en_GB").concat([bottomLatin]);
    }
    return layout;
  }
  function ensureKeyboard() {
    var language = screenLanguage();
    if (keyboard && keyboard.language === language) return Promise.resolve(keyboard);
    if (loading && loading.language === language) return loading.promise;
    if (!window.SimpleKeyboard && !document.querySelector("link[data-keyboard-style]")) {
      // Its stylesheet too, on first use: the home page stays within its 100 KB.
      var style = document.createElement("link");
      style.rel = "stylesheet";
      style.href = screen.dataset.keyboardStyle;
      style.dataset.keyboardStyle = "";
      document.head.appendChild(style);
    }
    var library = window.SimpleKeyboard ? Promise.resolve() : loadScript(screen.dataset.keyboardScript);
    var promise = library.then(function () {
      return Promise.all([import(words().keyboardLayout), import(screen.dataset.latinLayout)]);
    }).then(function (modules) {
      if (keyboard) keyboard.sk.destroy();
      if (keyboard) keyboard.element.remove();
      var element = document.createElement("div");
      element.className = "keyboard simple-keyboard";
      element.setAttribute("role", "group");
      element.hidden = true;
      document.body.appendChild(element);
      var Keyboard = window.SimpleKeyboard.default || window.SimpleKeyboard;
      var sk = new Keyboard(element, {
        layout: buildLayout(language, modules[0].default, modules[1].default),
        layoutName: "default",
        display: {
          "{bksp}": "⌫", "{shift}": "⇧", "{space}": " ", "{next}": "✓",
          "{accents}": "áé", "{letters}": "abc", "{latin}": "ABC", "{native}": language === "ur" ? "اردو" : "عربي",
        },
        useButtonTag: true,
        preventMouseDownDefault: true,
        disableButtonHold: true,
        theme: "hg-theme-default doorbook-keyboard",
        onKeyPress: pressKey,
        onRender: function () { labelKeys(); },
      });
      keyboard = { sk: sk, element: element, language: language };
      loading = null;
      layer = "base";
      shifted = false;
      labelKeys();
      return keyboard;
    });
    loading = { language: language, promise: promise };
    return promise;
  }
  function isLastField() {
    if (!target) return true;
    var form = target.form;
    var fields = form ? form.querySelectorAll("[data-keyboard]") : [];
    return !fields.length || fields[fields.length - 1] === target;
  }
  function labelKeys() {
    if (!keyboard) return;
    var w = words();
    keyboard.element.setAttribute("aria-label", w.wordKeyboard || "Keyboard");
    var names = {
      "{bksp}": w.wordBackspace || "Backspace", "{shift}": w.wordShift || "Shift",
      "{space}": w.wordSpace || "Space", "{accents}": w.wordAccents || "More letters",
      "{letters}": w.wordLetters || "Letters", "{latin}": w.wordLatin || "Latin letters",
      "{native}": w.wordLetters || "Letters",
      "{next}": isLastField() ? (w.wordSend || "Done") : (w.wordNext || "Next"),
    };
    keyboard.element.querySelectorAll("[data-skbtn]").forEach(function (key) {
      key.type = "button";
      var name = names[key.dataset.skbtn];
      if (name) key.setAttribute("aria-label", name);
    });
  }
  function layoutName() {
    var base = layer === "accents" ? "accents" : layer === "latin" ? "latin" : "default";
    if (!shifted) return base;
    return base === "default" ? "shift" : base + "Shift";
  }
  function showLayer() {
    if (!keyboard) return;
    if (keyboard.sk.options.layoutName !== layoutName()) {
      keyboard.sk.setOptions({ layoutName: layoutName() });
    }
    labelKeys();
  }
  function latinLetters() {
    return layer !== "base" || !NON_LATIN[keyboard.language];
  }
  function autoCapitalise() {
    // Names start each word with a capital, as a phone keyboard would; codes are capitals.
    // Only where letters have capitals (not Arabic or Urdu letters).
    if (!target || !keyboard || !latinLetters()) return;
    if (target.dataset.keyboard === "code") {
      shifted = true;
    } else if (target.dataset.keyboard === "name") {
      shifted = target.value.length === 0 || /[\s-]$/.test(target.value);
    }
  }
  function nextField() {
    var form = target.form;
    var fields = form ? Array.prototype.slice.call(form.querySelectorAll("[data-keyboard]")) : [];
    var at = fields.indexOf(target);
    if (at >= 0 && at < fields.length - 1) {
      fields[at + 1].focus();
    } else if (form) {
      hideKeyboard();
      form.requestSubmit();
    } else {
      hideKeyboard();
    }
  }
  function pressKey(button) {
    if (!target) return;
    if (button === "{next}") { nextField(); return; }
    if (button === "{shift}") { shifted = !shifted; showLayer(); return; }
    if (button === "{accents}") { layer = "accents"; shifted = false; autoCapitalise(); showLayer(); return; }
    if (button === "{letters}") { layer = "base"; shifted = false; autoCapitalise(); showLayer(); return; }
    if (button === "{latin}") { layer = "latin"; shifted = false; autoCapitalise(); showLayer(); return; }
    if (button === "{native}") { layer = "base"; shifted = false; showLayer(); return; }
    var max = parseInt(target.getAttribute("maxlength") || "1000", 10);
    if (button === "{bksp}") {
      target.value = Array.from(target.value).slice(0, -1).join("");
    } else {
      var ch = button === "{space}" ? " " : button;
      if (target.value.length + ch.length <= max) target.value += ch;
      shifted = false;
      // An accented letter is one tap away, then back to the letters (as on a phone).
      if (layer === "accents" && button !== "{space}") layer = "base";
    }
    autoCapitalise();
    showLayer();
    target.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function showKeyboard(input) {
    target = input;
    ensureKeyboard().then(function () {
      if (target !== input) return;
      layer = "base";
      shifted = false;
      keyboard.element.hidden = false;
      document.body.classList.add("keyboard-open");
      autoCapitalise();
      showLayer();
      keepAboveKeyboard(input);
    });
  }
  function keepAboveKeyboard(input) {
    // The keyboard covers the bottom of the screen: scroll the field (and its label) to
    // just above it, so the person sees what they type.
    var room = keyboard.element.getBoundingClientRect().top;
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
    target = null;
    document.body.classList.remove("keyboard-open");
    if (keyboard) keyboard.element.hidden = true;
  }
  document.addEventListener("focusin", function (event) {
    var input = event.target.closest("[data-keyboard]");
    if (input) showKeyboard(input);
  });
  // A tap outside the fields and the keyboard puts the keyboard away (after the tap has
  // done its work: hiding it first would move what was tapped).
  document.addEventListener("click", function (event) {
    if (!target || !event.target.isConnected) return; // a key redrawn by its own press
    if (event.target.closest(".keyboard")) return;
    var focused = document.activeElement;
    if (focused && focused.closest && focused.closest("[data-keyboard]")) return;
    hideKeyboard();
  });

  // ---- The parts of the page that outlive a screen speak the screen's language ----
  function applyWords() {
    var w = words();
    var answer = document.getElementById("answer");
    if (answer && w.wordUnreachable) answer.dataset.unreachable = w.wordUnreachable;
    if (warning) {
      var title = warning.querySelector("h2");
      var text = warning.querySelector("p");
      var extend = warning.querySelector("[data-idle-extend]");
      if (title && w.wordStillThere) title.textContent = w.wordStillThere;
      if (text && w.wordGoingBack) text.textContent = w.wordGoingBack;
      if (extend && w.wordMoreTime) extend.textContent = w.wordMoreTime;
      var body = screen.querySelector(".screen-body");
      if (body) { warning.lang = body.lang; warning.dir = body.dir; }
    }
    if (keyboard && keyboard.language !== screenLanguage()) {
      keyboard.sk.destroy();
      keyboard.element.remove();
      keyboard = null;
    }
  }

  // ---- A lock-out counts down its seconds, then says the pad can be used again ----
  var countdownTimer = null;
  function startCountdown() {
    if (countdownTimer) clearInterval(countdownTimer);
    countdownTimer = null;
    var shown = screen.querySelector("[data-countdown]");
    if (!shown) return;
    var left = parseInt(shown.dataset.countdown, 10);
    countdownTimer = setInterval(function () {
      left -= 1;
      if (left <= 0) {
        clearInterval(countdownTimer);
        countdownTimer = null;
        shown.textContent = shown.dataset.countdownOver;
        shown.classList.remove("error");
        shown.classList.add("notice");
      } else if (window.Intl && Intl.DurationFormat) {
        // The time left in the screen's language, as the server wrote it ("45 seconds").
        var duration = left >= 120 ? { minutes: Math.ceil(left / 60) } : { seconds: left };
        var words = new Intl.DurationFormat(screenLanguage().replace("_", "-"), { style: "long" });
        shown.textContent = shown.dataset.countdownText.replace("{t}", words.format(duration));
      }
    }, 1000);
  }

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
  document.body.addEventListener("htmx:afterSwap", function (event) {
    // Only a new screen counts: a small part of one swapped in place (a question, a
    // prompt loaded with the screen) leaves the keyboard, focus and timers alone.
    if (event.detail.target !== screen) return;
    // The screen says its language and direction (a parent's own, once they identify):
    // the whole page follows, so right-to-left languages mirror.
    var shown = screen.querySelector(".screen-body");
    if (shown) {
      document.documentElement.lang = shown.lang;
      document.documentElement.dir = shown.dir;
    }
    hideKeyboard();
    applyWords();
    startCountdown();
    // Each new screen starts at the top.
    screen.scrollTop = 0;
    window.scrollTo(0, 0);
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

  applyWords();
  startCountdown();
  restartIdle();
  armAutoHome();
})();
