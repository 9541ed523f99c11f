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

  document.addEventListener("htmx:configRequest", function (event) {
    var trigger = event.detail.triggeringEvent;
    var submitter = trigger && trigger.type === "submit" ? trigger.submitter : null;
    if (submitter && submitter.name) {
      event.detail.parameters[submitter.name] = submitter.value;
    }
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
