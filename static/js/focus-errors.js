// A page that came back with errors opens on its error summary: a screen reader reads it, and the
// next Tab reaches its first link. The summaries of templates/macros/forms.html have autofocus,
// which does this even without JavaScript; this does it for the other summaries (the invoice
// pages' own, an error message) and in browsers that ignore autofocus there. Never when the
// address names a place in the page (the form reopened at a line or at the pièces) or when
// something already has the focus.
(function () {
  "use strict";
  function focusTheErrors() {
    if (window.location.hash) { return; }
    if (document.activeElement && document.activeElement !== document.body) { return; }
    var summary = document.querySelector(".error-summary, .flash--error");
    if (summary) { summary.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusTheErrors);
  } else {
    focusTheErrors();
  }
})();
