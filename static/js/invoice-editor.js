// The invoice form with scripts (templates/invoices/edit.html, loaded before the form).
// - Marks the page (html.js): what only matters without scripts (« Mettre à jour »,
//   « Recalculer ») is hidden by the stylesheet, what is true only with them is shown.
// - A submit that htmx queued behind an autosave (hx-sync) still says which button was
//   pressed, even when the answer before it redrew that button.
// - After a swap, the server says where focus goes and what the live region says
//   (HX-Trigger-After-Settle: {"guichet:after-swap": {"focus": "#…", "say": "…"}}).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // What is true only with scripts is written by them: its text waits in data-js-text, so a
  // browser without scripts (a text browser ignores CSS and the hidden attribute) shows nothing.
  function writeScriptTexts(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var found = Array.prototype.slice.call(scope.querySelectorAll("[data-js-text]"));
    if (scope.matches && scope.matches("[data-js-text]")) { found.push(scope); }
    found.forEach(function (element) {
      element.textContent = element.getAttribute("data-js-text");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { writeScriptTexts(document); });
  document.addEventListener("htmx:load", function (event) { writeScriptTexts(event.target); });

  // The buttons of the form are plain submit buttons: htmx sends them as the form's own
  // request, queued behind the one in flight. When it leaves, the answer before may have
  // redrawn the button: its name and value (and the choice next to it, « Ce fichier est »)
  // are taken from the button that was pressed.
  document.addEventListener("htmx:configRequest", function (event) {
    var trigger = event.detail.triggeringEvent;
    var submitter = trigger && trigger.type === "submit" ? trigger.submitter : null;
    if (!submitter || !submitter.name) { return; }
    var parameters = event.detail.parameters;
    parameters[submitter.name] = submitter.value;
    var choice = submitter.closest(".piece-move");
    var select = choice ? choice.querySelector("select") : null;
    if (select) { parameters[select.name] = select.value; }
  });

  // « Ce fichier est … » is sent with its « Classer » button, not saved on its own.
  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest(".piece-move")) {
      event.stopPropagation();
    }
  }, true);

  // A field filled from the supplier's QR-bill says so in its label (« lu sur la facture »)
  // until the person changes it: the server stops saying it at the next redraw, this at once.
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.id || !field.labels) { return; }
    Array.prototype.forEach.call(field.labels, function (label) {
      var mark = label.querySelector(".read-from-bill");
      if (mark) { mark.remove(); }
    });
  });

  document.addEventListener("guichet:after-swap", function (event) {
    var detail = event.detail || {};
    if (detail.say) {
      var live = document.getElementById("invoice-live");
      if (live) { live.textContent = detail.say; }
    }
    var target = detail.focus ? document.querySelector(detail.focus) : null;
    if (target) { target.focus(); }
  });
})();
