/*
 * The city report: a "Print / Save as PDF" button (shown only when JavaScript can use it),
 * and every recommendation on paper, even those folded away on screen.
 */
(function () {
  "use strict";

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });

  var folded = [];
  window.addEventListener("beforeprint", function () {
    folded = Array.prototype.filter.call(
      document.querySelectorAll("details[data-print-open]"),
      function (details) { return !details.open; }
    );
    folded.forEach(function (details) { details.open = true; });
  });
  window.addEventListener("afterprint", function () {
    folded.forEach(function (details) { details.open = false; });
    folded = [];
  });
})();
