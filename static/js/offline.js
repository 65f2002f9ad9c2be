/* Working without a connection (docs/offline.md).

   - The service worker (/sw.js) keeps a copy of each page the person opens, so "My shift" and
     the pages they use open again without a connection.
   - A form marked data-offline (the log's quick entry) sent without a connection is kept on
     the tablet, in order, with the moment it was saved, and shown at once as "waiting to
     send". When the connection is back (or on "Send now") the queue is sent in order. Each
     record carries a key made here (idempotency_key), so however often it is sent it is
     saved once.
   - A record the server refuses (the shift was signed off meanwhile) stays, with the reason,
     until the person turns it into a new entry or discards it. Nothing is dropped silently.
   - Records belong to the person who made them: another person logged in on the tablet
     neither sees nor sends them. A session that expired asks for the password, then sends. */
(function () {
  "use strict";
  var body = document.body;
  var person = body.dataset.user;
  if (!person) return;

  if ("serviceWorker" in navigator && body.dataset.serviceWorker) {
    navigator.serviceWorker.register(body.dataset.serviceWorker, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (navigator.onLine) registration.active.postMessage({ warm: JSON.parse(body.dataset.warm || "[]") });
    }).catch(function () {
      // Not a secure address (plain http to a server's name): pages are then not kept.
    });
  }

  var STORE = "logbook-queue";
  var SYNCED = "logbook-synced-" + person;
  var bar = document.getElementById("offline-bar");
  var needsLogin = false;
  var sending = false;

  function everyone() {
    try {
      return JSON.parse(localStorage.getItem(STORE) || "[]");
    } catch (error) {
      return [];
    }
  }
  function mine() {
    return everyone().filter(function (record) {
      return record.person === person;
    });
  }
  function change(id, update) {
    // update(record) returns the record to keep, or null to drop it.
    var kept = [];
    everyone().forEach(function (record) {
      var result = record.id === id ? update(record) : record;
      if (result) kept.push(result);
    });
    localStorage.setItem(STORE, JSON.stringify(kept));
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function clock(iso) {
    // As the pages show times: the site's zone, 24 hours.
    return new Date(iso).toLocaleTimeString(document.documentElement.lang, {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: body.dataset.timeZone || undefined,
    });
  }
  function csrfToken() {
    var cookie = document.cookie.split("; ").filter(function (pair) {
      return pair.indexOf("csrftoken=") === 0;
    })[0];
    if (cookie) return cookie.slice("csrftoken=".length);
    var field = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return field ? field.value : "";
  }

  // The bar: offline or not, how many records wait, when the queue was last sent.
  function showBar() {
    var records = mine();
    var waiting = records.filter(function (r) { return r.state === "waiting"; }).length;
    var refused = records.length - waiting;
    var parts = [];
    if (!navigator.onLine) {
      parts.push(bar.dataset.offline + " · " + bar.dataset.copy.replace("%s", clock(body.dataset.renderedAt)));
    }
    if (waiting) parts.push(waiting === 1 ? bar.dataset.waitingOne : bar.dataset.waiting.replace("%s", waiting));
    // Refused records are shown (with the reason and what to do) on the page they were made on.
    var refusedLink = bar.querySelector(".offline-refused");
    refusedLink.hidden = !refused;
    if (refused) {
      refusedLink.textContent = refused === 1 ? bar.dataset.refusedOne : bar.dataset.refused.replace("%s", refused);
      refusedLink.href = records.filter(function (r) { return r.state !== "waiting"; })[0].page;
    }
    var synced = localStorage.getItem(SYNCED);
    if ((waiting || !navigator.onLine) && synced) parts.push(bar.dataset.synced.replace("%s", clock(synced)));
    if (waiting && needsLogin) parts.push(bar.dataset.login);
    bar.querySelector(".offline-state").textContent = parts.join(" · ");
    bar.querySelector(".offline-send").hidden = !waiting || !navigator.onLine || needsLogin;
    var login = bar.querySelector(".offline-login");
    login.hidden = !(waiting && needsLogin);
    login.href = login.pathname + "?next=" + encodeURIComponent(location.pathname);
    bar.hidden = parts.length === 0 && !refused;
    bar.classList.toggle("is-offline", !navigator.onLine);
    showQueued(records);
  }

  // Records of this page's forms, shown in the page's log as they will appear.
  function showQueued(records) {
    var list = document.querySelector("ol[data-queue-for]");
    if (!list) return;
    list.querySelectorAll("li.queued").forEach(function (item) { item.remove(); });
    var here = new URL(list.dataset.queueFor, location.href).href;
    var shown = records.filter(function (r) { return r.url === here; });
    var empty = list.querySelector("li.muted"); // "Nothing logged yet."
    if (empty) empty.hidden = shown.length > 0;
    shown.forEach(function (record) {
      var item = document.querySelector("#queued-entry").content.firstElementChild.cloneNode(true);
      item.dataset.key = record.id;
      item.querySelector("time").textContent = clock(record.recordedAt);
      item.querySelector("time").dateTime = record.recordedAt;
      item.querySelector(".cat").textContent = record.label;
      item.querySelector(".entry-text").textContent = record.text;
      var state = item.querySelector(".queue-state");
      state.textContent = record.state === "waiting" ? state.dataset.waiting : state.dataset.refused + " " + record.reason;
      item.classList.toggle("refused", record.state !== "waiting");
      item.querySelector(".queue-actions").hidden = record.state === "waiting";
      list.insertBefore(item, list.firstChild);
    });
  }

  // Keep a form's record instead of sending it.
  function keep(form, submitter) {
    var fields = [];
    new FormData(form, submitter).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrfmiddlewaretoken") fields.push([name, value]);
    });
    var chosen = form.querySelector('input[name="category"]:checked');
    var text = form.querySelector('[name="text"]');
    var queue = everyone();
    queue.push({
      id: form.querySelector('input[name="idempotency_key"]').value,
      person: person,
      url: form.action,
      page: form.dataset.offline || location.pathname, // where its records are shown
      fields: fields,
      recordedAt: new Date().toISOString(),
      label: chosen ? chosen.closest("label").textContent.trim() : "",
      text: text ? text.value : "",
      state: "waiting",
    });
    localStorage.setItem(STORE, JSON.stringify(queue));
    form.reset();
    form.querySelector('input[name="idempotency_key"]').value = newKey();
    showBar();
  }

  function reasonIn(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var said = page.querySelectorAll(".errorlist li, main .card > p:first-of-type, main p");
    return said.length ? said[0].textContent.trim() : "";
  }

  // Send this person's waiting records, oldest first; stop at the first that cannot go.
  function send() {
    var waiting = mine().filter(function (r) { return r.state === "waiting"; });
    if (sending || !navigator.onLine || !waiting.length) return Promise.resolve();
    sending = true;
    var sent = 0; // records answered, kept or refused
    function next() {
      var record = mine().filter(function (r) { return r.state === "waiting"; })[0];
      if (!record) return Promise.resolve();
      var data = new FormData();
      record.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
      data.set("csrfmiddlewaretoken", csrfToken());
      data.set("idempotency_key", record.id);
      return fetch(record.url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        redirect: "follow",
        headers: { "Device-Time": new Date().toISOString(), "Recorded-At": record.recordedAt },
      }).then(function (response) {
        if (new URL(response.url).pathname.indexOf("/accounts/login/") === 0) {
          needsLogin = true; // the session ended meanwhile: the password first, then the queue
          return;
        }
        if (response.ok) {
          change(record.id, function () { return null; });
          localStorage.setItem(SYNCED, new Date().toISOString());
          sent += 1;
          return next();
        }
        return response.text().then(function (html) {
          sent += 1; // refused, with the reason: the page is read again all the same
          change(record.id, function (r) {
            r.state = "refused";
            r.reason = reasonIn(html) || response.status + " " + response.statusText;
            return r;
          });
          return next();
        });
      });
    }
    // First, whose session the server holds now (the header every signed-in answer carries):
    // an ended session, or another person's, sends nothing of this person's queue.
    return fetch(body.dataset.serviceWorker, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      needsLogin = response.headers.get("Logbook-User") !== person;
      return needsLogin ? undefined : next();
    }).catch(function () {
      // The connection dropped again: what is left waits.
    }).then(function () {
      sending = false;
      showBar();
      // A page that shows the records (a shift's log) is read again: as the server has them.
      if (sent && document.querySelector("ol[data-queue-for]")) location.reload();
    });
  }

  document.querySelectorAll("form[data-offline]").forEach(function (form) {
    var key = document.createElement("input");
    key.type = "hidden";
    key.name = "idempotency_key";
    key.value = newKey(); // a double tap sends the same record twice: saved once
    form.appendChild(key);
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented || navigator.onLine) return;
      event.preventDefault();
      if (form.reportValidity()) keep(form, event.submitter);
    });
  });

  // A refused record: made into a new entry in this page's form, or discarded.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-queue-action]");
    if (!button) return;
    var id = button.closest("li.queued").dataset.key;
    var record = mine().filter(function (r) { return r.id === id; })[0];
    if (!record) return;
    if (button.dataset.queueAction === "discard") {
      change(id, function () { return null; });
      showBar();
      return;
    }
    // Into this page's form, or (a signed shift has none) the form of the person's shift now.
    // The record leaves the queue once it is in a form.
    sessionStorage.setItem(REFILL, id);
    if (!refill()) location.assign(body.dataset.myShift);
  });

  var REFILL = "logbook-refill-" + person;
  function refill() {
    var form = document.querySelector("form[data-offline]");
    var id = sessionStorage.getItem(REFILL);
    var record = mine().filter(function (r) { return r.id === id; })[0];
    if (!form || !record) return false;
    sessionStorage.removeItem(REFILL);
    change(id, function () { return null; });
    showBar();
    record.fields.forEach(function (pair) {
      form.querySelectorAll('[name="' + pair[0] + '"]').forEach(function (field) {
        if (field.type === "radio") field.checked = field.value === pair[1];
        else if (field.name !== "occurred_at" && field.type !== "hidden") field.value = pair[1];
      });
    });
    form.querySelector('[name="text"]').focus();
    return true;
  }
  refill();

  bar.querySelector(".offline-send").addEventListener("click", send);
  window.addEventListener("online", function () { showBar(); send(); });
  window.addEventListener("offline", showBar);

  // Logging out: what waits is sent first; if it cannot be, the person is asked.
  document.querySelectorAll('form[action$="/logout/"]').forEach(function (form) {
    function forgetPages() {
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage("forget");
      }
    }
    form.addEventListener("submit", function (event) {
      if (form.dataset.confirmed || !mine().length) {
        forgetPages(); // nothing waits: out at once
        return;
      }
      event.preventDefault();
      send().then(function () {
        var left = mine().length;
        if (!left || window.confirm(form.dataset.queueLeft.replace("%s", left))) {
          form.dataset.confirmed = "1";
          form.requestSubmit();
        }
      });
    });
  });

  showBar();
  send();
})();
