/* 月报: the print button (no inline handlers under the strict CSP). */
(function () {
  "use strict";
  var button = document.getElementById("report-print");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
