// Forms: the error summary (GOV.UK pattern). Everything works without this file: the summary is at the top of
// the page and its links are ordinary in-page links.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    // A page that comes back with errors starts at the summary, so screen readers announce it first.
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!target) { return; }
      event.preventDefault();
      // Focus the field itself (a fieldset: its first input), with its label or legend in view.
      var input = target.matches("input, select, textarea, button") ? target : target.querySelector("input, select, textarea");
      var label = (input && input.id && document.querySelector("label[for='" + input.id + "']")) ||
        target.querySelector("legend") || target;
      (label || target).scrollIntoView({ block: "start" });
      (input || target).focus({ preventScroll: true });
      history.replaceState(null, "", link.getAttribute("href"));
    });
  });
})();
