/*
 * The questionnaire, enhanced: answers are saved in the background while the official types,
 * and "none of these" unticks the other choices. Everything works without this file.
 *
 * Autosave posts the whole form (CSRF token included) to the element's JSON endpoint a moment
 * after the last change, never while a save is running, and never blocks typing. The status
 * line (aria-live="polite") says "Saving…", "Saved at 14:32" or "Not saved: <reason>".
 * Without a connection it retries with a growing delay (2 s, 4 s, … up to a minute), and at
 * once when the browser says it is back online. Messages come translated from the page.
 */
(function () {
  "use strict";

  // "None of these" cannot be combined with other choices of the same question.
  Array.prototype.forEach.call(document.querySelectorAll("[data-choice-group]"), function (group) {
    group.addEventListener("change", function (event) {
      var box = event.target;
      if (box.type !== "checkbox" || !box.checked || !box.name) { return; }
      var exclusive = box.hasAttribute("data-exclusive");
      Array.prototype.forEach.call(group.querySelectorAll("input[type=checkbox]"), function (other) {
        if (other === box || other.name !== box.name) { return; }
        if (exclusive || other.hasAttribute("data-exclusive")) { other.checked = false; }
      });
    });
  });

  var form = document.querySelector("form[data-autosave-url]");
  var status = document.getElementById("save-status");
  if (!form || !status || !window.fetch || !window.FormData) { return; }

  var url = form.getAttribute("data-autosave-url");
  var TYPING_PAUSE = 1500;  // ms after the last keystroke
  var CHOICE_PAUSE = 400;   // ms after a click on a radio or checkbox
  var MAX_RETRY = 60;       // seconds
  var timer = null;
  var retryTimer = null;
  var retryDelay = 0;
  var inFlight = false;
  var dirty = false;
  var stopped = false;
  var leaving = false;
  var csrfRenewed = false;

  function text(name, value) {
    var template = status.getAttribute("data-msg-" + name) || "";
    return value === undefined ? template : template.replace("%s", value);
  }

  function show(message, kind) {
    status.textContent = message;
    status.className = "save-status" + (kind ? " is-" + kind : "");
  }

  function clock(iso) {
    var date = iso ? new Date(iso) : new Date();
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function schedule(delay) {
    if (stopped) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function retryLater(message) {
    dirty = true;
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2, MAX_RETRY);
    show(message.replace("%s", retryDelay), "error");
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(function () { retryTimer = null; save(); }, retryDelay * 1000);
  }

  function retryNow() {
    if (dirty && !inFlight && !stopped) {
      window.clearTimeout(retryTimer);
      retryTimer = null;
      save();
    }
  }

  function setField(name, value) {
    var field = form.elements[name];
    if (field && field.type === "hidden") { field.value = value; }
  }

  function markAnswered(id, answered) {
    // The "answered" badge beside a question's title follows what is stored, as a reload would.
    var title = document.getElementById("q-" + id + "-title");
    if (!title) { return; }
    var badge = title.querySelector(".q-done");
    if (answered && !badge) {
      badge = document.createElement("span");
      badge.className = "q-done";
      badge.textContent = text("answered");
      title.appendChild(document.createTextNode(" "));
      title.appendChild(badge);
    } else if (!answered && badge) {
      badge.parentNode.removeChild(badge);
    }
  }

  function fieldMessages(id, field, messages) {
    // A refused value is explained at its field, as the page does without JavaScript.
    var input = form.elements[field];
    if (input && input.length !== undefined && !input.tagName) { input = input[0]; }
    var section = document.getElementById("q-" + id);
    if (!input || !section) { return; }
    var suffix = field.indexOf("url_") === 0 ? "-url-errors" : field.indexOf("note_") === 0 ? "-note-errors" : "-errors";
    var boxId = "q-" + id + suffix;
    var box = document.getElementById(boxId);
    var target = input.closest(".field") ? input : (section.querySelector(".choices, .number-row") || input);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
      return x && x !== boxId;
    });
    if (messages && messages.length) {
      if (!box) {
        box = document.createElement("div");
        box.className = "error";
        box.id = boxId;
        target.parentNode.insertBefore(box, target);
      }
      box.textContent = "";
      messages.forEach(function (message) {
        var line = document.createElement("p");
        line.textContent = message;
        box.appendChild(line);
      });
      described.push(boxId);
      input.setAttribute("aria-invalid", "true");
    } else {
      if (box) { box.parentNode.removeChild(box); }
      input.removeAttribute("aria-invalid");
    }
    if (input.type !== "radio" && input.type !== "checkbox") {
      if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
      else { input.removeAttribute("aria-describedby"); }
    }
  }

  function clearMessages(id) {
    ["q_" + id, "url_" + id, "note_" + id].forEach(function (field) { fieldMessages(id, field, []); });
  }

  function applied(data) {
    // The revision each saved answer is now at, so the next save is not seen as a conflict.
    var answers = data.answers || {};
    Object.keys(answers).forEach(function (id) {
      setField("rev_" + id, String(answers[id].rev));
      setField("was_" + id, answers[id].was);
      if (typeof answers[id].answered === "boolean") { markAnswered(id, answers[id].answered); }
      clearMessages(id);
    });
    var errors = data.errors || {};
    Object.keys(errors).forEach(function (id) {
      var fields = errors[id].fields || {};
      Object.keys(fields).forEach(function (field) { fieldMessages(id, field, fields[field]); });
    });
    // The server writes the time as the page does (same format, same time zone, which it names).
    var message = data.status === "saved" || data.status === "unchanged"
      ? (data.saved_label || text("saved", clock(data.saved_at)))
      : data.message;
    var kind = data.status === "saved" || data.status === "unchanged" ? "saved" : "error";
    if (data.refreshed && data.refreshed.length) {
      message += " " + text("refreshed", data.refreshed[0].by);
    }
    if (data.status === "unchanged" && !data.saved_at && status.classList.contains("is-saved")) {
      return;  // nothing new: keep the last "Saved at"
    }
    show(message, kind);
  }

  function handle(response, data) {
    var code = response.status;
    if (code === 200 && data) {
      retryDelay = 0;
      csrfRenewed = false;
      applied(data);
    } else if (code === 400 && data && data.csrf_token && !csrfRenewed) {
      // The page's token expired (e.g. after signing in again in another tab): renew, retry.
      csrfRenewed = true;
      setField("csrf_token", data.csrf_token);
      dirty = true;
      show(text("saving"), "saving");
      window.setTimeout(save, 0);
    } else if (code === 401) {
      // Signed out: wait for the official to sign in again (another tab), then retry.
      dirty = true;
      show(data && data.message ? data.message : text("signedout"), "error");
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(function () { retryTimer = null; save(); }, 30000);
    } else if (code === 409) {
      stopped = true;
      show(data && data.message ? data.message : text("locked"), "error");
    } else if (code >= 500 || code === 429 || code === 0) {
      retryLater(data && data.message ? data.message : text("server"));
    } else {
      stopped = true;
      show(text("failed", String(code)), "error");
    }
  }

  function save() {
    timer = null;
    if (inFlight || !dirty || stopped || leaving) { return; }
    dirty = false;
    inFlight = true;
    show(text("saving"), "saving");
    var body = new FormData(form);
    window.fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(
        function (data) { handle(response, data); },
        function () { handle(response, null); }
      );
    }, function () {
      retryLater(text("offline"));
    }).then(function () {
      inFlight = false;
      if (dirty && !retryTimer && !stopped) { schedule(TYPING_PAUSE); }
    });
  }

  function edited(event) {
    var name = event.target && event.target.name;
    if (!name || name.indexOf("reauth_") === 0 || stopped) { return; }
    dirty = true;
    var choice = event.target.type === "radio" || event.target.type === "checkbox";
    schedule(choice ? CHOICE_PAUSE : TYPING_PAUSE);
  }

  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  form.addEventListener("submit", function () {
    // The normal save takes over; it carries everything on the page.
    leaving = true;
    window.clearTimeout(timer);
    window.clearTimeout(retryTimer);
  });
  window.addEventListener("online", retryNow);
  window.addEventListener("focus", retryNow);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { retryNow(); }
  });
  window.addEventListener("beforeunload", function (event) {
    if (!leaving && (dirty || inFlight)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
