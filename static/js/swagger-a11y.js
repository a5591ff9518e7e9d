/* Swagger UI page: the operation summary is a <button> that holds a deep link (<a href="#/...">), an interactive
   control inside another (WCAG 4.1.2, axe "nested-interactive"). The button already opens the operation, so the
   inner link loses its href and is no longer a second tab stop. Swagger UI renders with React, so this runs again
   whenever it adds operations. */
(function () {
  "use strict";
  function repair(root) {
    root.querySelectorAll(".opblock-summary-control a[href]").forEach(function (link) {
      link.removeAttribute("href");
    });
  }
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root) return;
    repair(root);
    new MutationObserver(function () { repair(root); }).observe(root, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
