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
      var wasHidden = source.hidden;
      source.hidden = false;
      source.select();
      try {
        done(document.execCommand("copy") ? "Copied" : "Could not copy");
      } finally {
        source.hidden = wasHidden;
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

// A live character count beside each field with a limit (data-max-chars, set by the forms):
// "120 / 20,000 characters", and "1,204 characters over the limit of 20,000" once it is over,
// announced to screen readers only when the text crosses the limit. Without JavaScript the
// server says the same after submitting.
(function () {
  "use strict";

  var number = function (n) { return n.toLocaleString("en"); };

  function counterFor(field) {
    var id = field.id + "-count";
    var counter = document.getElementById(id);
    if (counter) return counter;
    counter = document.createElement("div");
    counter.id = id;
    counter.className = "char-count";
    counter.setAttribute("data-testid", "char-count");
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    counter.appendChild(document.createElement("span"));
    counter.appendChild(status);
    field.insertAdjacentElement("afterend", counter);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? described + " " + id : id);
    return counter;
  }

  function update(field) {
    var limit = Number(field.getAttribute("data-max-chars"));
    if (!field.id || !limit) return;
    var counter = counterFor(field);
    var length = field.value.length;
    var over = length > limit;
    counter.firstChild.textContent = over
      ? number(length - limit) + " characters over the limit of " + number(limit)
      : number(length) + " / " + number(limit) + " characters";
    if (over !== counter.classList.contains("char-count--over")) {
      counter.classList.toggle("char-count--over", over);
      counter.lastChild.textContent = over
        ? "Too long: shorten the text to " + number(limit) + " characters."
        : "Within the limit again.";
    }
  }

  function updateAll(root) {
    (root || document).querySelectorAll("[data-max-chars]").forEach(update);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-max-chars]")) update(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () { updateAll(); });
  document.addEventListener("htmx:afterSettle", function (event) { updateAll(event.detail.elt); });
})();

// The header's account menu (a <details>): closes on a click elsewhere and on Escape.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
})();

// The project workspace's tabs (templates/generator/project.html): the WAI-ARIA tabs pattern
// (arrow keys, Home and End move between tabs; Tab moves into the panel). The chosen tab is kept
// in the address's #fragment, so a reload or a shared link opens the same tab. Without
// JavaScript the tabs are links to panels that all show, one under the other.
(function () {
  "use strict";

  function tabsOf(root) { return Array.prototype.slice.call(root.querySelectorAll("[role=tab]")); }

  function select(root, key, focus) {
    var tabs = tabsOf(root);
    var chosen = tabs.filter(function (tab) { return tab.dataset.tab === key; })[0] || tabs[0];
    if (!chosen) return;
    tabs.forEach(function (tab) {
      var on = tab === chosen;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      var panel = document.getElementById(tab.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    });
    if (focus) chosen.focus();
    root.dataset.activeTab = chosen.dataset.tab;
    return chosen;
  }

  function fromHash() {
    var match = /^#(?:panel|tab)-([a-z]+)$/.exec(window.location.hash);
    return match ? match[1] : null;
  }

  function setUp(root) {
    if (root.classList.contains("tabs--ready")) return;
    root.classList.add("tabs--ready");
    select(root, fromHash() || root.dataset.defaultTab, false);
    root.addEventListener("click", function (event) {
      var tab = event.target.closest("[role=tab]");
      if (!tab || !root.contains(tab)) return;
      event.preventDefault();
      select(root, tab.dataset.tab, true);
      history.replaceState(history.state, "", "#panel-" + tab.dataset.tab);
    });
    root.addEventListener("keydown", function (event) {
      var tab = event.target.closest("[role=tab]");
      if (!tab) return;
      var tabs = tabsOf(root);
      var index = tabs.indexOf(tab);
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      var target = tabs[(next + tabs.length) % tabs.length];
      select(root, target.dataset.tab, true);
      history.replaceState(history.state, "", "#panel-" + target.dataset.tab);
    });
  }

  function setUpAll() { document.querySelectorAll("[data-tabs]").forEach(setUp); }
  document.addEventListener("DOMContentLoaded", setUpAll);
  window.addEventListener("hashchange", function () {
    var key = fromHash();
    if (key) document.querySelectorAll("[data-tabs].tabs--ready").forEach(function (root) { select(root, key, false); });
  });
  // Links elsewhere on the page that open a tab ("See the diagram").
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-show-tab]");
    if (!link) return;
    var root = document.querySelector("[data-tabs].tabs--ready");
    if (!root) return;
    event.preventDefault();
    var tab = select(root, link.dataset.showTab, true);
    if (tab) history.replaceState(history.state, "", "#panel-" + tab.dataset.tab);
    root.scrollIntoView({ block: "start" });
  });
  // A file opened from the tree while another tab was showing (e.g. the back button): show Code.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    if (!target || target.id !== "code-viewer") return;
    var root = target.closest("[data-tabs]");
    if (root && root.dataset.activeTab !== "code") select(root, "code", false);
  });
})();

// The Code tab's file search: filters the file tree as you type (folders stay while any file
// under them matches) and says how many files match. Hidden without JavaScript.
(function () {
  "use strict";

  function filter(input) {
    var tree = document.getElementById(input.dataset.fileSearch);
    var status = input.parentElement.querySelector("[data-file-search-status]");
    if (!tree) return;
    var query = input.value.trim().toLowerCase();
    var rows = Array.prototype.slice.call(tree.querySelectorAll("li"));
    var shown = 0;
    var total = 0;
    var keep = [];
    rows.forEach(function (row, index) {
      if (!row.hasAttribute("data-file")) return;
      total += 1;
      var match = !query || row.getAttribute("data-file").toLowerCase().indexOf(query) !== -1;
      row.hidden = !match;
      if (match) { shown += 1; keep[index] = true; }
    });
    // A folder row shows when a file after it, deeper than it, before the next row at its depth, shows.
    rows.forEach(function (row, index) {
      if (row.hasAttribute("data-file")) return;
      var depth = Number(row.dataset.depth) || 0;
      var visible = !query;
      for (var next = index + 1; next < rows.length && !visible; next += 1) {
        var nextDepth = Number(rows[next].dataset.depth) || 0;
        if (nextDepth <= depth) break;
        if (keep[next]) visible = true;
      }
      row.hidden = !visible;
    });
    if (status) {
      status.textContent = query
        ? shown + " of " + total + " file" + (total === 1 ? "" : "s") + " match “" + input.value.trim() + "”"
        : "";
    }
  }

  function setUp(root) {
    (root || document).querySelectorAll("[data-file-search]").forEach(function (input) {
      input.hidden = false;
    });
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-file-search]")) filter(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () { setUp(); });
  document.addEventListener("htmx:afterSettle", function (event) { setUp(event.detail.elt.parentElement || document); });
})();

// The Code tab's tree scrolls to the file that is open (e.g. after a reload of a file's address).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var current = document.querySelector(".file-tree a[aria-current=page]");
  var list = current && current.closest("ul");
  if (!current || !list) return;
  var top = current.offsetTop - list.offsetTop;
  if (top < list.scrollTop || top > list.scrollTop + list.clientHeight - current.offsetHeight) {
    list.scrollTop = Math.max(0, top - list.clientHeight / 2);
  }
});
