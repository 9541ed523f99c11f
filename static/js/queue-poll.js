// The staff queue refreshes itself every 30 s (templates/staff/_queue_results.html), but only
// while its browser tab is visible: a poll that would leave a hidden tab is cancelled, and when
// the tab shows again the queue refreshes at once (the region also listens to "queue-visible").
// The CSP forbids eval, so this cannot be an htmx trigger filter ("every 30s [...]").
(function () {
  "use strict";
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail && event.detail.elt;
    if (document.hidden && element && element.hasAttribute("data-queue-poll")) {
      event.preventDefault();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && document.querySelector("[data-queue-poll]")) {
      document.dispatchEvent(new CustomEvent("queue-visible"));
    }
  });
})();
