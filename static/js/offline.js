/* Working without a connection (docs/offline.md).

   - The service worker (/sw.js) keeps a copy of each page the person opens, so "My shift" and
     the pages they use open again without a connection.
   - A form marked data-offline (the log's quick entry, production counts, the handover,
     Machine down, a work request) sent without a connection is kept on
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
      if (!navigator.onLine) return;
      return pagesAhead().then(function (ahead) {
        registration.active.postMessage({ warm: JSON.parse(body.dataset.warm || "[]").concat(ahead) });
      });
    }).catch(function () {
      // Not a secure address (plain http to a server's name): pages are then not kept.
    });
  }

  // The pages kept ahead besides "My shift" and home: the line's floor cards, the person's
  // open work orders, the line's inspection plans. Asked for at most every five minutes (the
  // worker fetches again only copies older than that).
  function pagesAhead() {
    var asked = "logbook-ahead-" + person;
    if (!body.dataset.ahead || Date.now() - Number(localStorage.getItem(asked) || 0) < 5 * 60 * 1000) {
      return Promise.resolve([]);
    }
    return fetch(body.dataset.ahead, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : { pages: [] };
    }).then(function (answer) {
      localStorage.setItem(asked, String(Date.now()));
      return answer.pages;
    }, function () {
      return [];
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

  // Records of this page's forms, shown where they will appear ([data-queue-for]: the log of
  // a shift, the stops reported from "Machine down"), each from its <template>. A stage tapped
  // on a stop still waiting (data-queue-stage) is shown in that stop's card.
  var STAGES = ["responded", "repaired", "ended"];
  function showQueued(records) {
    document.querySelectorAll("[data-queue-for]").forEach(function (list) {
      list.querySelectorAll(".queued").forEach(function (item) { item.remove(); });
      var here = new URL(list.dataset.queueFor, location.href).href;
      var ids = records.map(function (r) { return r.id; });
      var shown = records.filter(function (r) {
        return (r.url === here || r.shownAt === here) && ids.indexOf(r.after) < 0;
      });
      var empty = list.querySelector("li.muted"); // "Nothing logged yet."
      if (empty) empty.hidden = shown.length > 0;
      var section = list.closest("[data-queue-section]");
      if (section) section.hidden = !shown.length;
      var template = document.getElementById(list.dataset.queueTemplate || "queued-entry");
      shown.forEach(function (record) {
        var item = template.content.firstElementChild.cloneNode(true);
        item.dataset.key = record.id;
        item.querySelector("time").textContent = clock(record.recordedAt);
        item.querySelector("time").dateTime = record.recordedAt;
        item.querySelector(".cat").textContent = record.label;
        item.querySelector(".entry-text").textContent = record.text;
        var state = item.querySelector(".queue-state");
        state.textContent = record.state === "waiting" ? state.dataset.waiting : state.dataset.refused + " " + record.reason;
        if (record.withoutPhoto) state.textContent += " · " + bar.dataset.noPhoto;
        item.classList.toggle("refused", record.state !== "waiting");
        item.querySelector(".queue-actions").hidden = record.state === "waiting";
        var stages = item.querySelector(".queued-stages");
        if (stages) {
          var reached = record.path ? STAGES.length : -1; // a stage on its own: no more buttons
          records.filter(function (r) { return r.after === record.id; }).forEach(function (stage) {
            var line = document.createElement("li");
            line.textContent = stage.label + " · " + clock(stage.recordedAt);
            stages.appendChild(line);
            reached = Math.max(reached, STAGES.indexOf(stage.path.replace("/", "")));
          });
          item.querySelectorAll("[data-queue-stage]").forEach(function (button) {
            button.hidden = record.state !== "waiting" || STAGES.indexOf(button.dataset.queueStage) <= reached;
          });
        }
        list.insertBefore(item, list.firstChild);
      });
    });
  }

  function shownValue(form, name) {
    // What the person sees of a field: the label of the chosen option, or what was typed.
    var chosen = form.querySelector('[name="' + name + '"]:checked');
    if (chosen) return chosen.closest("label").textContent.trim();
    var field = form.querySelector('[name="' + name + '"]');
    if (!field) return "";
    return field.tagName === "SELECT" ? field.selectedOptions[0].textContent.trim() : field.value;
  }

  // Keep a form's record instead of sending it.
  function keep(form, submitter) {
    var fields = [];
    new FormData(form, submitter).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrfmiddlewaretoken") fields.push([name, value]);
    });
    // A photo is too big for the tablet's store: the record waits without it, and says so.
    var photo = Array.prototype.some.call(form.querySelectorAll('input[type="file"]'), function (input) {
      return input.files && input.files.length > 0;
    });
    var queue = everyone();
    queue.push({
      id: form.querySelector('input[name="idempotency_key"]').value,
      withoutPhoto: photo,
      person: person,
      url: form.action,
      page: form.dataset.offline || location.pathname, // where its records are shown
      kind: form.dataset.offlineKind || "entry", // which form takes it back
      fields: fields,
      recordedAt: new Date().toISOString(),
      label: form.dataset.offlineTitle || shownValue(form, form.dataset.offlineLabel || "category"),
      text: (form.dataset.offlineText || "text").split(" ").map(function (name) {
        return shownValue(form, name);
      }).filter(Boolean).join(" · "),
      state: "waiting",
    });
    localStorage.setItem(STORE, JSON.stringify(queue));
    form.reset();
    form.querySelector('input[name="idempotency_key"]').value = newKey();
    // What follows the fields (the machine picker's chosen button) follows them back.
    form.querySelectorAll("input:not([type=hidden]), textarea").forEach(function (field) {
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
    showBar();
  }

  function reasonIn(html) {
    try {
      var answer = JSON.parse(html); // to a script: {"error": "..."}, or the API's {"detail": "..."}
      return answer.error || answer.detail || "";
    } catch (notJson) {
      // a page: its first error; or a line of plain text (a device clock refused)
    }
    var page = new DOMParser().parseFromString(html, "text/html");
    var said = page.querySelectorAll(".errorlist li, main .card > p:first-of-type, main p");
    if (said.length) return said[0].textContent.trim();
    return page.body ? page.body.textContent.trim().slice(0, 300) : "";
  }

  function whoIsIn() {
    // The person whose session the server holds ("" for none), or null: no server answers.
    return fetch(body.dataset.serviceWorker, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      return response.headers.get("Logbook-User") || "";
    }, function () {
      return null;
    });
  }

  function ready(record) {
    // Waiting, and its address known (a stage's once its stop was sent).
    return record.state === "waiting" && !!record.url;
  }

  // Send this person's waiting records, oldest first; stop at the first that cannot go.
  function send() {
    var waiting = mine().filter(ready);
    if (sending || !navigator.onLine || !waiting.length) return Promise.resolve();
    sending = true;
    var sent = 0; // records answered, kept or refused
    function next() {
      var record = mine().filter(ready)[0];
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
        if (response.status >= 500 || response.status === 429) {
          return; // the server cannot take it now (busy, being upgraded): it waits, unrefused
        }
        if (response.ok) {
          change(record.id, function () { return null; });
          // Stages tapped on this stop while it waited go to the stop the server made.
          mine().forEach(function (r) {
            if (r.after === record.id) {
              change(r.id, function (stage) {
                stage.url = new URL(stage.path, response.url).href;
                return stage;
              });
            }
          });
          localStorage.setItem(SYNCED, new Date().toISOString());
          sent += 1;
          return next();
        }
        return response.text().then(function (said) {
          sent += 1; // refused, with the reason: the page is read again all the same
          change(record.id, function (r) {
            r.state = "refused";
            r.reason = reasonIn(said) || response.status + " " + response.statusText;
            return r;
          });
          return next();
        });
      });
    }
    // First, whose session the server holds now (the header every signed-in answer carries):
    // an ended session, or another person's, sends nothing of this person's queue.
    return whoIsIn().then(function (who) {
      needsLogin = who !== null && who !== person;
      return who === person ? next() : undefined;
    }).catch(function () {
      // The connection dropped again: what is left waits.
    }).then(function () {
      sending = false;
      showBar();
      // A page that shows the records (a shift's log) is read again: as the server has them.
      if (sent && document.querySelector("[data-queue-for]")) location.reload();
    });
  }

  document.querySelectorAll("form[data-offline]").forEach(function (form) {
    var key = document.createElement("input");
    key.type = "hidden";
    key.name = "idempotency_key";
    key.value = newKey(); // a double tap sends the same record twice: saved once
    form.appendChild(key);
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented || form.dataset.going) return;
      event.preventDefault();
      var submitter = event.submitter;
      if (!form.reportValidity()) return;
      if (!navigator.onLine) {
        keep(form, submitter);
        return;
      }
      // Online as far as the browser knows; but the Wi-Fi may reach no server, and a session
      // may have ended: a plain submit would then lose what was typed. Asked first.
      whoIsIn().then(function (who) {
        if (who === person) {
          form.dataset.going = "1";
          form.requestSubmit(submitter);
          return;
        }
        needsLogin = who !== null;
        keep(form, submitter);
      });
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
      forget(id);
      showBar();
      return;
    }
    if (button.dataset.queueAction === "late") {
      // Onto the signed shift after all, as a late entry: with the reason it came late, and
      // the moment it was logged (sent again as Recorded-At). A new record, with a new key.
      var list = button.closest("[data-queue-for]");
      var reason = list.dataset.lateReason.replace("%s", clock(record.recordedAt));
      change(id, function (r) {
        r.id = newKey();
        r.shownAt = r.url; // still shown in this log while it waits
        r.url = new URL(list.dataset.queueLate, location.href).href;
        r.fields = r.fields.filter(function (pair) { return pair[0] !== "amend_reason"; });
        r.fields.push(["amend_reason", reason]);
        r.state = "waiting";
        delete r.reason;
        return r;
      });
      showBar();
      send();
      return;
    }
    // Into this page's form, or (a signed shift has none) the form of the person's shift now.
    // The record leaves the queue once it is in a form.
    sessionStorage.setItem(REFILL, id);
    if (!refill()) location.assign((record.kind || "entry") === "entry" ? body.dataset.myShift : record.page);
  });

  function forget(id) {
    // A record and the stages tapped on it.
    change(id, function () { return null; });
    mine().forEach(function (r) {
      if (r.after === id) change(r.id, function () { return null; });
    });
  }

  // A stage (on site, repaired, running again) tapped on a stop still waiting: kept after it,
  // with the moment it was tapped, and sent to the stop once the server made it.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-queue-stage]");
    if (!button) return;
    var parent = mine().filter(function (r) { return r.id === button.closest(".queued").dataset.key; })[0];
    if (!parent) return;
    var queue = everyone();
    queue.push({
      id: newKey(),
      person: person,
      after: parent.id,
      path: button.dataset.queueStage + "/",
      url: "",
      shownAt: parent.url,
      page: parent.page,
      fields: [],
      recordedAt: new Date().toISOString(),
      label: button.dataset.label || button.textContent.trim(),
      text: parent.label,
      state: "waiting",
    });
    localStorage.setItem(STORE, JSON.stringify(queue));
    showBar();
  });

  var REFILL = "logbook-refill-" + person;
  function refill() {
    var id = sessionStorage.getItem(REFILL);
    var record = mine().filter(function (r) { return r.id === id; })[0];
    var form = record && document.querySelector('form[data-offline-kind="' + (record.kind || "entry") + '"]');
    if (!form || !record) return false;
    sessionStorage.removeItem(REFILL);
    forget(id);
    showBar();
    record.fields.forEach(function (pair) {
      form.querySelectorAll('[name="' + pair[0] + '"]').forEach(function (field) {
        if (field.type === "radio") field.checked = field.value === pair[1];
        // Not its time: the new record happens now.
        else if (field.type !== "datetime-local" && field.type !== "hidden") field.value = pair[1];
      });
    });
    var first = (form.dataset.offlineText || "text").split(" ")[0];
    (form.querySelector('[name="' + first + '"]') || form.querySelector("input, textarea")).focus();
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
        var question = left === 1 ? form.dataset.queueLeftOne : form.dataset.queueLeft.replace("%s", left);
        if (!left || window.confirm(question)) {
          form.dataset.confirmed = "1";
          form.requestSubmit();
        }
      });
    });
  });

  // For the pages' own scripts (the checklist's answers, kept as they are given): a record
  // for an address, replacing the one still waiting for it (the latest answers are all the
  // answers); the answers waiting for an address; dropping them once newer ones were kept.
  function waitingFor(url) {
    return mine().filter(function (r) { return r.url === url && r.state === "waiting"; });
  }
  window.LogbookQueue = {
    keep: function (url, fields, label) {
      waitingFor(url).forEach(function (r) { change(r.id, function () { return null; }); });
      var queue = everyone();
      queue.push({
        id: newKey(),
        person: person,
        url: url,
        page: location.pathname,
        kind: "checklist", // no form takes it back: the page puts the answers back itself
        fields: fields,
        recordedAt: new Date().toISOString(),
        label: label || "",
        text: "",
        state: "waiting",
      });
      localStorage.setItem(STORE, JSON.stringify(queue));
      showBar();
    },
    drop: function (url) {
      waitingFor(url).forEach(function (r) { change(r.id, function () { return null; }); });
      showBar();
    },
    waiting: function (url) {
      var records = waitingFor(url);
      return records.length ? records[records.length - 1].fields : null;
    },
  };

  showBar();
  send();
})();
