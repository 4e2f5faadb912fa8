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

// [data-copy="<id>"] buttons (give them `hidden`; shown here) copy the text of the element with
// that id (e.g. a certificate's verification link) and say so in the nearest [role=status].
// Without this file the link stays visible and selectable.
(function () {
  "use strict";

  function say(button, text) {
    var scope = button.closest("section") || document;
    var status = scope.querySelector("[role=status]");
    if (status) {
      status.textContent = text;
    }
  }

  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.querySelectorAll("[data-copy][hidden]").forEach(function (el) {
    el.hidden = false;
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) {
      return;
    }
    var text = source.textContent.trim();
    var done = function () { say(button, "链接已复制，可以粘贴发送给用人单位。"); };
    var fallback = function () {
      selectText(source);
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (e) {
        copied = false;
      }
      if (copied) {
        done();
      } else {
        say(button, "无法自动复制：链接已选中，请长按或按 Ctrl+C 复制。");
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  });
})();
