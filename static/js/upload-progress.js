// Shows how far the upload of pièces justificatives has gone while htmx sends the invoice form.
// Without JavaScript the form posts normally and the browser shows its own progress.
(function () {
  "use strict";
  document.addEventListener("htmx:xhr:progress", function (event) {
    var detail = event.detail || {};
    if (!detail.lengthComputable || detail.total < 200000) { return; }
    var form = event.target.closest ? event.target.closest("form") : null;
    var bar = form ? form.querySelector(".upload-progress") : null;
    if (!bar) { return; }
    var percent = Math.round((detail.loaded / detail.total) * 100);
    bar.hidden = false;
    bar.value = percent;  // no text inside: a text browser would show it (it ignores hidden)
  });
})();
