// Progressive enhancement only: every page works without this file.
// - Escape closes the phone menu (the menu itself is the CSS checkbox #nav-toggle).
// - <button data-confirm="…"> / <form data-confirm="…"> / <a data-confirm="…"> ask first; a yes
//   fills the form's input[data-confirm-field] with 1 (else the server asks on a page).
// - [data-back] buttons (hidden without JS) go back one page.
// - [data-print] buttons (give them `hidden`; shown here) print the page.
// - a table's "左右滑动查看更多" hint shows only when the table is wider than its box.
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
      return;
    }
    // Answered yes: the server need not ask again (core.confirm, forms.confirm_field).
    var field = message && event.target.querySelector("input[data-confirm-field]");
    if (field) {
      field.value = "1";
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

  // "左右滑动查看更多" only above a table wider than its box (ui.data_table, .table-hint).
  function measureTables() {
    document.querySelectorAll(".table-hint").forEach(function (hint) {
      var wrap = hint.nextElementSibling;
      if (wrap) {
        hint.hidden = wrap.scrollWidth <= wrap.clientWidth + 1;
        hint.classList.add("is-measured");
      }
    });
  }
  measureTables();
  window.addEventListener("resize", measureTables);

  document.querySelectorAll("[data-print][hidden]").forEach(function (el) {
    el.hidden = false;
  });
  if (window.history.length > 1) {
    document.querySelectorAll("[data-back][hidden]").forEach(function (el) {
      el.hidden = false;
    });
  }
})();
