// The handout's "Cetak" button: shown only when this file runs (without it the page says to use Ctrl+P).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
