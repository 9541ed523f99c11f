// The « morph » swap of the htmx extension « keep-unchanged » (templates/invoices/_list.html):
// the list brought by the status poll is laid over the one on the page, and only what differs
// is changed (a row is found again by its id). A link the person is on is never replaced, so it
// keeps the focus and a screen reader does not start the list again. Without JavaScript there is
// no poll: « Rafraîchir » loads the page.
(function () {
  "use strict";

  function sameKind(current, fresh) {
    return current.nodeType === fresh.nodeType && current.nodeName === fresh.nodeName &&
      (current.id || "") === (fresh.id || "");
  }

  function copyAttributes(current, fresh) {
    var i;
    for (i = current.attributes.length - 1; i >= 0; i--) {
      if (!fresh.hasAttribute(current.attributes[i].name)) {
        current.removeAttribute(current.attributes[i].name);
      }
    }
    for (i = 0; i < fresh.attributes.length; i++) {
      if (current.getAttribute(fresh.attributes[i].name) !== fresh.attributes[i].value) {
        current.setAttribute(fresh.attributes[i].name, fresh.attributes[i].value);
      }
    }
  }

  function laterSiblingWithId(node, id) {
    for (var next = node; next; next = next.nextSibling) {
      if (next.id === id) { return next; }
    }
    return null;
  }

  // ``current`` becomes like ``fresh``, touching only what differs.
  function morph(current, fresh) {
    if (current.nodeType !== Node.ELEMENT_NODE) {
      if (current.nodeValue !== fresh.nodeValue) { current.nodeValue = fresh.nodeValue; }
      return;
    }
    copyAttributes(current, fresh);
    var wanted = Array.prototype.slice.call(fresh.childNodes);
    for (var i = 0; i < wanted.length; i++) {
      var want = wanted[i];
      var have = current.childNodes[i];
      if (!have) {
        current.appendChild(want);
      } else if (have.isEqualNode(want)) {
        continue;
      } else if (sameKind(have, want)) {
        morph(have, want);
      } else {
        var moved = want.id ? laterSiblingWithId(have, want.id) : null;
        if (moved) {
          current.insertBefore(moved, have);
          morph(moved, want);
        } else {
          current.insertBefore(want, have);
        }
      }
    }
    while (current.childNodes.length > wanted.length) {
      current.removeChild(current.lastChild);
    }
  }

  function define() {
    window.htmx.defineExtension("keep-unchanged", {
      handleSwap: function (swapStyle, target, fragment) {
        if (swapStyle !== "morph") { return false; }
        var fresh = fragment.firstElementChild;
        if (fresh && fresh.id === target.id && fresh.nodeName === target.nodeName) {
          morph(target, fresh);
          return [target];  // htmx then processes what is new (the poll's next address)
        }
        var nodes = Array.prototype.slice.call(fragment.childNodes);  // something else: it
        target.replaceWith.apply(target, nodes);                       // replaces the list
        return nodes;
      }
    });
  }

  if (window.htmx) { define(); } else { document.addEventListener("DOMContentLoaded", define); }
})();
