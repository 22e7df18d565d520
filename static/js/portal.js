// Behaviour of the portal's pages, kept out of the HTML so the Content-Security-Policy can forbid
// inline scripts.
(function () {
  "use strict";

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
