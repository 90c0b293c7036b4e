// Small behaviours the server cannot render: copying code, and moving focus to content that
// htmx swapped in at the user's request. Everything else is server-rendered HTML.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentElement.querySelector("[data-copy-status]");
    if (!source) return;
    var text = source.value;
    var done = function (message) {
      if (status) status.textContent = message;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { done("Copied"); },
        function () { done("Could not copy"); }
      );
    } else {
      source.hidden = false;
      source.select();
      try {
        done(document.execCommand("copy") ? "Copied" : "Could not copy");
      } finally {
        source.hidden = true;
        button.focus();
      }
    }
  });

  // The live tracker never moves back. Each fragment carries its event's sequence number; a
  // page can be rendered from a history newer than the first fragments its stream replays (an
  // event saved after the page read the stream's position but published after it read the
  // history), and such an older fragment is skipped instead of swapped in.
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var message = event.detail;
    var shown = document.getElementById("run-progress");
    if (!shown || !message || typeof message.data !== "string") return;
    var incoming = /id="run-progress"[^>]*\bdata-seq="(\d+)"/.exec(message.data);
    if (incoming && Number(incoming[1]) < Number(shown.getAttribute("data-seq"))) {
      event.preventDefault();
    }
  });

  // The live understanding panel (templates/generator/understanding.html): busy while a newer
  // reading is on its way, so screen readers wait for it instead of reading a stale one, and
  // "too many updates" (429) is shown in the panel like any other answer.
  function understandingPanel(event) {
    var target = event.detail && event.detail.target;
    return target && target.id === "understanding-body" ? target.parentElement : null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var panel = understandingPanel(event);
    if (panel) panel.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (understandingPanel(event) && event.detail.xhr.status === 429) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  ["htmx:afterSettle", "htmx:responseError", "htmx:sendError"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var panel = understandingPanel(event);
      if (panel) panel.removeAttribute("aria-busy");
    });
  });

  // A file opened from the tree: move focus to the viewer so keyboard and screen-reader users
  // land on what they asked for.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    if (target && target.id === "code-viewer") target.focus();
  });
})();
