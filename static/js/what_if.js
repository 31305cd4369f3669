/*
 * What-if: the form works without JavaScript (it reloads the page); with it, a change of any
 * choice fetches only the results and puts them in place, and the address follows the choices.
 */
(function () {
  "use strict";
  var form = document.querySelector("[data-what-if]");
  var target = document.getElementById("what-if-results");
  if (!form || !target || !window.fetch || !window.URLSearchParams) { return; }
  var pending = null;

  function refresh() {
    var query = new URLSearchParams(new FormData(form)).toString();
    var controller = window.AbortController ? new AbortController() : null;
    if (pending) { pending.abort(); }
    pending = controller;
    target.setAttribute("aria-busy", "true");
    fetch(form.action + "?" + query + "&partial=1", {
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      target.innerHTML = html;
      window.history.replaceState(null, "", form.action + "?" + query);
    }).catch(function () {
      /* A failed refresh leaves the last results; the button still submits the form. */
    }).then(function () {
      target.removeAttribute("aria-busy");
    });
  }

  form.addEventListener("change", refresh);
})();
