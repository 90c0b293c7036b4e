// Zoom and pan for the ER diagram's frame (templates/generator/er_diagram.html): the +, − and
// Fit buttons, ctrl + wheel (and a trackpad's pinch) around the pointer, dragging with a mouse,
// pen or finger, and the keyboard on the focused frame (+, −, 0, arrows). It moves the SVG's
// viewBox, so the picture stays sharp and the frame keeps its size. Frames that htmx swaps in
// (the live understanding panel, the plan, the project page's tabs) are taken over as they come.
(function () {
  "use strict";

  var STEP = 1.25;
  var MAX_SCALE = 8;
  var PAN_STEP = 40; // screen pixels per arrow key

  function setUp(frame) {
    if (frame.hasAttribute("data-er-ready")) return;
    var viewport = frame.querySelector("[data-er-viewport]");
    var svg = viewport && viewport.querySelector("svg.er-diagram");
    var tools = frame.querySelector(".er-zoom__tools");
    var level = frame.querySelector("[data-er-zoom-level]");
    if (!svg || !tools) return;
    var box = (svg.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
    if (box.length !== 4 || !(box[2] > 0) || !(box[3] > 0)) return;
    frame.setAttribute("data-er-ready", "");
    var base = { x: box[0], y: box[1], w: box[2], h: box[3] };
    var view = { scale: 1, cx: base.x + base.w / 2, cy: base.y + base.h / 2 };

    function draw() {
      var w = base.w / view.scale;
      var h = base.h / view.scale;
      // Keep the visible part over the picture: no panning off into empty space.
      view.cx = Math.min(Math.max(view.cx, base.x + w / 2), base.x + base.w - w / 2);
      view.cy = Math.min(Math.max(view.cy, base.y + h / 2), base.y + base.h - h / 2);
      svg.setAttribute("viewBox", [view.cx - w / 2, view.cy - h / 2, w, h].join(" "));
      frame.setAttribute("data-er-scale", view.scale.toFixed(3));
      frame.classList.toggle("er-zoom--zoomed", view.scale > 1);
      if (level) level.textContent = Math.round(view.scale * 100) + "%";
    }

    // Diagram units per screen pixel (the SVG keeps its aspect ratio: one factor for both).
    function unitsPerPixel() {
      var rect = svg.getBoundingClientRect();
      if (!rect.width || !rect.height) return 0;
      return Math.max(base.w / view.scale / rect.width, base.h / view.scale / rect.height);
    }

    // The diagram point under a screen point.
    function pointAt(clientX, clientY) {
      var rect = svg.getBoundingClientRect();
      var k = unitsPerPixel();
      return {
        x: view.cx + (clientX - (rect.left + rect.width / 2)) * k,
        y: view.cy + (clientY - (rect.top + rect.height / 2)) * k,
      };
    }

    // Zoom to ``scale`` keeping the diagram point ``at`` (default: the centre) where it is.
    function zoomTo(scale, at) {
      var next = Math.min(Math.max(scale, 1), MAX_SCALE);
      if (at) {
        view.cx = at.x + (view.cx - at.x) * (view.scale / next);
        view.cy = at.y + (view.cy - at.y) * (view.scale / next);
      }
      view.scale = next;
      draw();
    }

    function panBy(dx, dy) {
      var k = unitsPerPixel();
      view.cx -= dx * k;
      view.cy -= dy * k;
      draw();
    }

    tools.addEventListener("click", function (event) {
      var button = event.target.closest("[data-er-zoom-action]");
      if (!button) return;
      var action = button.getAttribute("data-er-zoom-action");
      if (action === "in") zoomTo(view.scale * STEP);
      else if (action === "out") zoomTo(view.scale / STEP);
      else zoomTo(1);
    });

    viewport.addEventListener(
      "wheel",
      function (event) {
        if (!event.ctrlKey) return; // a plain wheel scrolls the page
        event.preventDefault();
        var factor = Math.exp(-event.deltaY / 300);
        zoomTo(view.scale * factor, pointAt(event.clientX, event.clientY));
      },
      { passive: false }
    );

    // Dragging pans (once zoomed in); two pointers pinch.
    var pointers = {};
    var pinch = null;
    function distance() {
      var ids = Object.keys(pointers);
      var a = pointers[ids[0]];
      var b = pointers[ids[1]];
      return Math.hypot(a.x - b.x, a.y - b.y);
    }
    viewport.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "mouse" && event.button !== 0) return;
      pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
      if (Object.keys(pointers).length === 2) {
        pinch = { distance: distance(), scale: view.scale };
      }
      if (view.scale > 1 || pinch) {
        viewport.setPointerCapture(event.pointerId);
        frame.classList.add("er-zoom--dragging");
      }
    });
    viewport.addEventListener("pointermove", function (event) {
      var last = pointers[event.pointerId];
      if (!last) return;
      var now = { x: event.clientX, y: event.clientY };
      pointers[event.pointerId] = now;
      if (pinch && Object.keys(pointers).length === 2) {
        var ids = Object.keys(pointers);
        var middle = {
          x: (pointers[ids[0]].x + pointers[ids[1]].x) / 2,
          y: (pointers[ids[0]].y + pointers[ids[1]].y) / 2,
        };
        zoomTo(pinch.scale * (distance() / pinch.distance), pointAt(middle.x, middle.y));
      } else if (view.scale > 1) {
        panBy(now.x - last.x, now.y - last.y);
      }
    });
    function release(event) {
      delete pointers[event.pointerId];
      if (Object.keys(pointers).length < 2) pinch = null;
      if (!Object.keys(pointers).length) frame.classList.remove("er-zoom--dragging");
    }
    viewport.addEventListener("pointerup", release);
    viewport.addEventListener("pointercancel", release);

    viewport.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var moves = { ArrowLeft: [1, 0], ArrowRight: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
      if (event.key === "+" || event.key === "=") zoomTo(view.scale * STEP);
      else if (event.key === "-" || event.key === "_") zoomTo(view.scale / STEP);
      else if (event.key === "0") zoomTo(1);
      else if (moves[event.key] && view.scale > 1) {
        panBy(moves[event.key][0] * PAN_STEP, moves[event.key][1] * PAN_STEP);
      } else return;
      event.preventDefault();
    });

    viewport.setAttribute("tabindex", "0");
    viewport.setAttribute("role", "group");
    viewport.setAttribute(
      "aria-label",
      "Diagram: + and − zoom, 0 fits, arrow keys move it once zoomed in"
    );
    tools.hidden = false;
    draw();
  }

  function setUpWithin(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("[data-er-zoom]")) setUp(root);
    root.querySelectorAll("[data-er-zoom]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", function () { setUpWithin(document); });
  document.addEventListener("htmx:load", function (event) { setUpWithin(event.detail && event.detail.elt); });
  document.addEventListener("htmx:afterSettle", function (event) {
    setUpWithin(event.detail && event.detail.elt);
  });
})();
