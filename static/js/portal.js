// Behaviour of the portal's pages, kept out of the HTML so the Content-Security-Policy can forbid
// inline scripts.
(function () {
  "use strict";

  // The stylesheet folds the menu on narrow screens only when this script is there to open it.
  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".nav-toggle");
    if (!toggle) { return; }
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.closest(".topbar").classList.toggle("nav-open", open);
  });

  // A wide table scrolls inside its own box, not the whole page; the box takes the keyboard focus
  // so that it can be scrolled without a mouse.
  function wrapTables(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      if (table.parentElement.classList.contains("table-scroll")) { return; }
      var box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
    root.querySelectorAll(".table-scroll").forEach(function (box) {
      if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); }
    });
  }

  function ready() {
    var toggle = document.querySelector(".nav-toggle");
    if (toggle) { toggle.hidden = false; }
    wrapTables(document);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
  document.addEventListener("htmx:afterSwap", function () { wrapTables(document); });

  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) { select.form.submit(); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-upload-progress")) { uploadWithProgress(event, form); }
  });

  // Shows the upload's own progress for large files; the server then shows the processing progress.
  function uploadWithProgress(event, form) {
    var bar = form.querySelector("progress"), label = form.querySelector("[data-percent]");
    if (!window.XMLHttpRequest || !form.file || !form.file.files.length) { return; }
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    bar.hidden = false;
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); label.textContent = bar.value + "%"; }
    };
    xhr.onload = function () {
      if (xhr.responseURL && xhr.responseURL !== window.location.href) { window.location = xhr.responseURL; }
      else { document.open(); document.write(xhr.responseText); document.close(); }
    };
    xhr.send(new FormData(form));
  }
})();
