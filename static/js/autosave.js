/* Keeps a copy of the section being typed in this browser (localStorage), so that a session timeout, a
 * closed tab or a lost connection never discards text. The copy is restored only onto the same saved version
 * of the draft, and cleared when the server confirms a save (the next page load shows a newer version). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.localStorage) { return; }
  var key = "rbx-autosave-" + form.getAttribute("data-autosave");
  var versionInput = form.querySelector("input[name=version]");
  var version = versionInput ? versionInput.value : "";
  var fields = form.querySelectorAll("textarea, input[type=text], input[type=number], input[type=email], input[type=url]");

  function snapshot() {
    var values = {};
    fields.forEach(function (el) { if (el.name) { values[el.name] = el.value; } });
    try { localStorage.setItem(key, JSON.stringify({ version: version, values: values })); } catch (e) { /* full */ }
  }

  var stored = null;
  try { stored = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { stored = null; }
  if (stored && stored.version === version) {
    var restored = false;
    fields.forEach(function (el) {
      if (el.name && Object.prototype.hasOwnProperty.call(stored.values, el.name) && stored.values[el.name] !== el.value) {
        el.value = stored.values[el.name];
        restored = true;
      }
    });
    if (restored) {
      var notice = document.createElement("p");
      notice.className = "autosave-notice";
      notice.setAttribute("role", "status");
      notice.textContent = form.getAttribute("data-autosave-restored") || "";
      form.insertBefore(notice, form.firstChild);
    }
  } else if (stored) {
    localStorage.removeItem(key);
  }
  form.addEventListener("input", snapshot);
})();
