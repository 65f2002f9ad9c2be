// Plant Logbook: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var printer = event.target.closest("[data-print]");
    if (printer) {
      event.preventDefault();
      window.print();
      return;
    }
    var toggle = event.target.closest(".nav-toggle");
    if (toggle) {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      document.body.classList.toggle("nav-open", !open);
    }
  });

  // Running durations ("down for 1 h 12 min") tick on without reloading the page.
  function showRunning() {
    var now = Date.now();
    document.querySelectorAll(".running[data-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-since"));
      if (isNaN(since)) { return; }
      var minutes = Math.max(0, Math.floor((now - since) / 60000));
      var hours = Math.floor(minutes / 60);
      el.textContent = (hours ? hours + " h " : "") + (minutes % 60) + " min";
    });
  }
  showRunning();
  window.setInterval(showRunning, 30000);

  // A measured value outside its limits turns red as it is typed (the server checks it again).
  function flagLimits(input) {
    var value = parseFloat(input.value);
    var min = parseFloat(input.getAttribute("data-min"));
    var max = parseFloat(input.getAttribute("data-max"));
    var out = !isNaN(value) && ((!isNaN(min) && value < min) || (!isNaN(max) && value > max));
    input.classList.toggle("out", out);
    input.setAttribute("aria-invalid", out ? "true" : "false");
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches("input[data-min], input[data-max]")) { flagLimits(event.target); }
  });
  document.querySelectorAll("input[data-min], input[data-max]").forEach(flagLimits);

  // A schedule's meter is one of its equipment's: the list follows the asset tag once typed.
  document.querySelectorAll("select[data-meters-of]").forEach(function (select) {
    var tag = document.getElementById(select.dataset.metersOf);
    if (!tag) return;
    tag.addEventListener("change", function () {
      var value = tag.value.trim();
      if (!value) return;
      var url = select.dataset.metersUrl + "?equipment_tag=" + encodeURIComponent(value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (page) {
          if (!page) return;
          var keep = select.value;
          select.length = 1; // the empty choice stays
          (page.results || page).forEach(function (meter) {
            var label = meter.name + " (" + meter.unit + ")";
            select.add(new Option(label, meter.id, false, String(meter.id) === keep));
          });
        });
    });
  });

  // A confirm step for buttons that change a record for good (data-confirm="message").
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // "Tick all" boxes in a table's head (data-check-all="<name of the row boxes>").
  document.querySelectorAll("input[data-check-all]").forEach(function (all) {
    var name = all.getAttribute("data-check-all");
    all.addEventListener("change", function () {
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });

  // Report periods: the first and last day matter only for a custom period.
  document.querySelectorAll("form.report-form").forEach(function (form) {
    var period = form.querySelector("select[name=period]");
    if (!period) return;
    var days = form.querySelectorAll(".field-period_from, .field-period_to");
    var show = function () {
      days.forEach(function (field) { field.hidden = period.value !== "custom"; });
    };
    period.addEventListener("change", show);
    show();
  });
})();
