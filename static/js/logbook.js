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

  // Escape closes the phone's menu and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !document.body.classList.contains("nav-open")) { return; }
    var toggle = document.querySelector(".nav-toggle");
    document.body.classList.remove("nav-open");
    if (toggle) {
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
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

  // Sections that follow the plant live (data-live="<the URL of the same section alone>"):
  // fetched again every 15 seconds while the page is in view, so a stop a machine posts shows
  // up without a reload. Replaced only when what it lists changed (its data-version).
  document.querySelectorAll("[data-live]").forEach(function (section) {
    window.setInterval(function () {
      if (document.hidden) { return; }
      fetch(section.getAttribute("data-live"), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live]");
          if (!fresh || fresh.getAttribute("data-version") === section.getAttribute("data-version")) {
            return;
          }
          section.innerHTML = fresh.innerHTML;
          section.setAttribute("data-version", fresh.getAttribute("data-version"));
          showRunning();
        })
        .catch(function () { /* offline for a moment: try again next time */ });
    }, 15000);
  });

  // A measured value outside its limits turns red as it is typed (the server checks it again).
  function flagLimits(input) {
    var value = parseFloat(input.value.replace(",", "."));  // 12,5 as German writes it
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

  // On a phone the filters start folded even when some are set (their count is on the
  // summary): the rows are what the person came for.
  if (window.matchMedia("(max-width: 600px)").matches) {
    document.querySelectorAll("details.filters[open]").forEach(function (filters) {
      filters.open = false;
    });
  }

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
  // The machine picker: big buttons fill the equipment field; typing in it narrows them; the
  // camera reads a machine's QR label (the browser's BarcodeDetector, else the decoder the app
  // serves itself, loaded only when a scan starts).
  function machineIdIn(text) {
    var match = /\/equipment\/(\d+)\//.exec(text || "");
    return match ? match[1] : null;
  }
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }
  function qrReader(picker) {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var byDecoder = function () {
      return loadScript(picker.dataset.jsqr).then(function () {
        return function (video) {
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
          if (!canvas.width) return Promise.resolve(null);
          context.drawImage(video, 0, 0);
          var image = context.getImageData(0, 0, canvas.width, canvas.height);
          var code = window.jsQR(image.data, image.width, image.height);
          return Promise.resolve(code ? code.data : null);
        };
      });
    };
    if (!("BarcodeDetector" in window)) return byDecoder();
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") < 0) return byDecoder();
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return function (video) {
        return detector.detect(video).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      };
    }, byDecoder);
  }
  document.querySelectorAll("[data-picker-for]").forEach(function (picker) {
    var input = document.getElementById(picker.dataset.pickerFor);
    if (!input) return;
    var items = picker.querySelectorAll(".picker-item");
    var scanner = picker.querySelector("[data-scanner]");
    var video = picker.querySelector("[data-scan-video]");
    var status = picker.querySelector("[data-scan-status]");
    var scanButton = picker.querySelector("[data-scan]");
    var stream = null;
    function narrow() {
      var typed = input.value.toLowerCase().trim();
      var picked = false;
      items.forEach(function (item) { picked = picked || item.dataset.value === input.value; });
      items.forEach(function (item) {
        item.setAttribute("aria-pressed", item.dataset.value === input.value ? "true" : "false");
        item.parentElement.hidden = !(picked || !typed || item.dataset.search.indexOf(typed) >= 0);
      });
    }
    function choose(value) {
      input.value = value;
      narrow();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function stop() {
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      scanner.hidden = true;
    }
    function found(text) {
      var id = machineIdIn(text);
      if (!id) { status.textContent = picker.dataset.msgNotOurs; return false; }
      var item = picker.querySelector('.picker-item[data-id="' + id + '"]');
      // A machine of another line: its label's address names it, and the server reads it.
      choose(item ? item.dataset.value : text);
      stop();
      return true;
    }
    picker.addEventListener("click", function (event) {
      var item = event.target.closest(".picker-item");
      if (item) choose(item.dataset.value);
      if (event.target.closest("[data-scan-stop]")) stop();
      if (!event.target.closest("[data-scan]")) return;
      scanner.hidden = false;
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (opened) {
          stream = opened;
          video.srcObject = stream;
          return video.play().then(function () { return qrReader(picker); });
        })
        .then(function (read) {
          var look = function () {
            if (!stream) return;
            read(video).then(function (text) {
              if (!(text && found(text))) window.setTimeout(look, 200);
            }, function () { window.setTimeout(look, 200); });
          };
          look();
        })
        .catch(function () { status.textContent = picker.dataset.msgNoCamera; stop(); scanner.hidden = false; });
    });
    input.addEventListener("input", narrow);
    if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) scanButton.hidden = false;
    narrow();
  });

  // The checklist keeps each answer as it is given: the form is sent to the page's save
  // address in the background; the status line says when it was last kept (or why not).
  // Answers sent without a connection go to the tablet's queue of records waiting to send
  // (offline.js): sent in order with the rest when the connection is back, and put back into
  // the form when the page is opened meanwhile. An answer whose sending was cut short (the page
  // closed) waits in the tab's session storage and is sent when the page is opened again.
  // Logging out forgets those (another person may take the tablet).
  var DRAFT = "logbook-checklist:";
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var status = form.querySelector(".autosave-status");
    var key = DRAFT + form.dataset.autosave;
    var address = new URL(form.dataset.autosave, location.href).href;
    var timer = null;
    var restoring = false;
    function answers() {
      var kept = [];
      new FormData(form).forEach(function (value, name) {
        if (name !== "csrfmiddlewaretoken" && name.indexOf("parts-") !== 0) kept.push([name, value]);
      });
      return kept;
    }
    function save() {
      var data = new FormData(form);
      var given = answers();
      sessionStorage.setItem(key, JSON.stringify(given));
      fetch(form.dataset.autosave, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (body) {
            sessionStorage.removeItem(key); // kept, or refused for a reason the page shows
            // Answers queued before these are older: these replace them.
            if (window.LogbookQueue) window.LogbookQueue.drop(address);
            status.textContent = body.saved
              ? status.dataset.saved.replace("%s", body.at)
              : body.error || status.dataset.failed;
            status.classList.toggle("error", !body.saved);
          });
        })
        .catch(function () {
          if (window.LogbookQueue) {
            window.LogbookQueue.keep(address, given, status.dataset.label);
            sessionStorage.removeItem(key); // the queue sends them now
          }
          status.textContent = status.dataset.offline;
          status.classList.add("error");
        });
    }
    function later() {
      if (restoring) return;
      clearTimeout(timer);
      timer = setTimeout(save, 600);
    }
    function putBack(pairs) {
      restoring = true;
      pairs.forEach(function (pair) {
        form.querySelectorAll('[name="' + pair[0] + '"]').forEach(function (field) {
          if (field.type === "radio" || field.type === "checkbox") field.checked = field.value === pair[1];
          else field.value = pair[1];
          field.dispatchEvent(new Event("input", { bubbles: true })); // limits shown again
        });
      });
      restoring = false;
    }
    // Completing sends these same answers: a save still pending would reach the server after
    // the order was completed (refused, and racing the completion on the way).
    form.addEventListener("submit", function () {
      clearTimeout(timer);
    });
    form.querySelectorAll("input, textarea, select").forEach(function (field) {
      if (field.closest(".part-line")) return; // parts are taken on completing
      field.addEventListener(field.type === "radio" || field.type === "checkbox" ? "change" : "input", later);
    });
    var draft = JSON.parse(sessionStorage.getItem(key) || "null");
    if (draft) {
      putBack(draft);
      save();
    }
    // After offline.js has run (both scripts are deferred): the answers waiting in its queue.
    document.addEventListener("DOMContentLoaded", function () {
      var waiting = window.LogbookQueue && window.LogbookQueue.waiting(address);
      if (waiting && !draft) {
        putBack(waiting);
        status.textContent = status.dataset.offline;
      }
    });
  });
  document.querySelectorAll('form[action$="/logout/"]').forEach(function (form) {
    form.addEventListener("submit", function () {
      Object.keys(sessionStorage).forEach(function (name) {
        if (name.indexOf(DRAFT) === 0) sessionStorage.removeItem(name);
      });
    });
  });

  // Spare parts: one row to start, "Add a part" adds another (the formset's count follows).
  document.querySelectorAll(".checklist-form .add-part").forEach(function (button) {
    var form = button.closest("form");
    var lines = form.querySelector(".part-lines");
    var total = form.querySelector('input[name$="-TOTAL_FORMS"][name^="parts"]');
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var row = lines.querySelector(".part-line").cloneNode(true);
      row.querySelectorAll("input, label").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(/parts-\d+-/, "parts-" + index + "-"));
        });
        if (el.tagName === "INPUT") el.value = "";
      });
      row.querySelectorAll(".errorlist, .field-error").forEach(function (el) {
        el.remove();
      });
      lines.appendChild(row);
      total.value = index + 1;
      row.querySelector("input").focus();
    });
  });
})();
