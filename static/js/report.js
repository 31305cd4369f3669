/*
 * The city report: a "Print" button, shown only when JavaScript can use it. Everything the
 * printed report holds prints without JavaScript; the full list of recommendations is an
 * annex (the "PDF with every recommendation" link, or the page with ?annex=1).
 */
(function () {
  "use strict";

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
