// Public pages: progressive enhancement on top of htmx. Everything works without this file.
(function () {
  "use strict";
  // A regency/city belongs to one province: when the province changes, the old choice no longer applies.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.name === "province" && target.form) {
      var region = target.form.querySelector("select[name=region]");
      if (region) { region.value = ""; }
    }
  });
  // Tell screen-reader users that the list changed after an in-place update.
  document.addEventListener("htmx:afterSettle", function (event) {
    var status = document.getElementById("result-status");
    if (status && event.target && event.target.contains(status)) {
      status.setAttribute("role", "status");
    }
  });
})();
