// The practice list's filters fold behind "Saring" on phones (a <details> that works without this file). Here:
// open on wide screens, where the filters sit beside the results, and keep a phone user's open/closed choice
// across the in-place (htmx) updates that each change of a filter makes.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 60rem)");
  var openOnPhone = false;
  function apply() {
    document.querySelectorAll("details[data-filter-toggle]").forEach(function (details) {
      details.open = wide.matches || openOnPhone;
    });
  }
  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches("details[data-filter-toggle]") && !wide.matches) {
      openOnPhone = event.target.open;
    }
  }, true);
  document.addEventListener("htmx:afterSettle", apply);
  if (wide.addEventListener) { wide.addEventListener("change", apply); }
  apply();
})();
