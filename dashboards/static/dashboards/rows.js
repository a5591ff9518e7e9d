/* Expandable rows of the dependency dashboard: each organization's details (status, formulas, numbers) sit in
   the row after it. Without JavaScript they stay visible; with it, a button in the first cell shows and hides them
   (aria-expanded tells assistive technology). */
(function () {
  "use strict";
  function setUp() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("button.row-toggle[aria-controls]").forEach(function (button) {
      var details = document.getElementById(button.getAttribute("aria-controls"));
      if (!details) return;
      details.hidden = true;
      button.hidden = false;
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") === "true";
        button.setAttribute("aria-expanded", open ? "false" : "true");
        details.hidden = open;
        var icon = button.querySelector(".toggle-icon");
        if (icon) icon.textContent = open ? "▸" : "▾";
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
