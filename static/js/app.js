// Progressive enhancement only: every page works without this file.
// - Escape closes the phone menu (the menu itself is the CSS checkbox #nav-toggle).
// - <button data-confirm="…"> / <form data-confirm="…"> / <a data-confirm="…"> ask first.
// - [data-back] buttons (hidden without JS) go back one page.
// - [data-print] buttons (give them `hidden`; shown here) print the page.
(function () {
  "use strict";

  var toggle = document.getElementById("nav-toggle");
  if (toggle) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.checked) {
        toggle.checked = false;
        toggle.focus();
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    if (event.target.closest("[data-back]")) {
      window.history.back();
    } else if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  document.querySelectorAll("[data-print][hidden]").forEach(function (el) {
    el.hidden = false;
  });
  if (window.history.length > 1) {
    document.querySelectorAll("[data-back][hidden]").forEach(function (el) {
      el.hidden = false;
    });
  }
})();
