// The docs' script: a table of contents built from the headings, and copy buttons on code.
(function () {
  "use strict";
  function toc() {
    var headings = document.querySelectorAll("main h1, main h2");
    var list = document.createElement("ol");
    headings.forEach(function (h, i) {
      h.id = h.id || "h-" + i;
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + h.id;
      link.textContent = h.textContent;
      item.appendChild(link);
      list.appendChild(item);
    });
    return list;
  }
  function copyButtons() {
    document.querySelectorAll("code").forEach(function (code) {
      code.addEventListener("dblclick", function () {
        if (navigator.clipboard) { navigator.clipboard.writeText(code.textContent); }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var nav = document.querySelector("nav");
    if (nav) { nav.appendChild(toc()); }
    copyButtons();
  });
})();
