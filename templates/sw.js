{% load static %}/* Plant Logbook's service worker: the pages a person opened stay readable when the plant's
   Wi-Fi drops. Written by hand: two strategies (network first for pages, cache first for the
   app's own static files) are fewer lines than a caching library's runtime.

   - Pages (GET navigations): from the network, a copy kept per person; without a connection,
     the kept copy of that person (marked by the page as "saved copy").
   - Static files (hashed names, never change): from the cache, else the network.
   - Writes are never touched here: the page's queue (offline.js) keeps them while offline.

   Copies belong to the person the server named in the Logbook-User header of the page they
   came with. When another person's page is seen (or the login page, after a log-out), every
   other person's copies are deleted, so nobody sees the pages of whoever used the tablet
   before. */
"use strict";

var VERSION = "{{ version }}";
var STATIC = "logbook-static-" + VERSION;
var PAGES = "logbook-pages-";
var PRECACHE = {{ precached|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC).then(function (cache) {
      return cache.addAll(PRECACHE);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("logbook-static-") === 0 && name !== STATIC;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

function forgetOthers(person) {
  // Only this person's copies stay; on the login page (no one), none do. So at most one
  // person's copies are ever on the tablet.
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PAGES) === 0 && name !== PAGES + person;
    }).map(function (name) {
      return caches.delete(name);
    }));
  });
}

function keptCopy(url) {
  // The copy kept of this page, in the copies of the one person they belong to.
  return caches.keys().then(function (names) {
    var mine = names.filter(function (name) { return name.indexOf(PAGES) === 0; });
    if (!mine.length) return undefined;
    return caches.open(mine[0]).then(function (cache) {
      // A form to report something new ("Machine down", "Request work" from a machine's card)
      // is the same form whatever its address pre-fills: its kept copy serves.
      var ending = new URL(url, self.location.href).pathname.slice(-5);
      var form = ending === "/new/" || ending === "/add/";
      return cache.match(url).then(function (kept) {
        return kept || (form ? cache.match(url, { ignoreSearch: true }) : undefined);
      });
    });
  });
}

function keepPage(urls, response) {
  var person = response.headers.get("Logbook-User") || "";
  var page = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
  return forgetOthers(person).then(function () {
    if (!person || response.status !== 200 || !page) return; // not a page: an export, say
    // Kept without the redirect it may have followed, with when it was kept (on this
    // device's clock; the page itself says when the server made it).
    return response.blob().then(function (body) {
      var headers = new Headers(response.headers);
      headers.set("Logbook-Kept-At", String(Date.now()));
      return caches.open(PAGES + person).then(function (cache) {
        return Promise.all(urls.map(function (url) {
          return cache.put(url, new Response(body, { status: 200, headers: headers }));
        }));
      });
    });
  });
}

function offlinePage() {
  return new Response(
    "<!DOCTYPE html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
      "<title>Offline · Plant Logbook</title><link rel=stylesheet href=\"{% static 'css/logbook.css' %}\">" +
      "<main class=card style='margin:1rem'><h1>{{ offline_title|escapejs }}</h1><p>{{ offline_text|escapejs }}</p>" +
      "<p><a class='button primary' href='/'>{{ offline_retry|escapejs }}</a></p></main>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
  );
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("{% get_static_prefix %}") === 0) {
    event.respondWith(
      caches.match(request).then(function (kept) {
        return kept || fetch(request);
      })
    );
    return;
  }
  if (request.mode !== "navigate" || url.pathname.indexOf("/admin/") === 0) return;
  event.respondWith(
    fetch(request).then(function (response) {
      // A redirect goes to the browser as it came; the page it leads to is kept when it
      // comes. Pages reached by a redirect ("My shift") are kept under their own address by
      // warm(), which the pages ask for.
      if (response.type === "basic") event.waitUntil(keepPage([request.url], response.clone()));
      return response;
    }).catch(function () {
      return keptCopy(request.url).then(function (kept) {
        return kept || offlinePage();
      });
    })
  );
});

var FRESH_MS = 5 * 60 * 1000;

var warming = null;

function warm(urls) {
  // The pages a person needs without a connection ("My shift", home, Machine down, and those
  // the server names: their line's floor cards, their work orders), kept even if they were
  // not opened since the worker came: fetched when no copy younger than
  // FRESH_MS is kept. Pages opened one after the other ask at once: one fetch serves them.
  if (!warming) {
    warming = warmNow(urls).then(function () {
      warming = null;
    });
  }
  return warming;
}

function warmNow(urls) {
  // One after the other: a tablet fetching a line's pages ahead asks the server for one page
  // at a time, never a burst.
  var unique = urls.filter(function (url, index) { return urls.indexOf(url) === index; });
  return unique.reduce(function (done, url) {
    return done.then(function () {
      return keptCopy(url);
    }).then(function (kept) {
      if (kept && Date.now() - Number(kept.headers.get("Logbook-Kept-At")) < FRESH_MS) return;
      // No referrer: a page that links "Cancel" back to where it came from is not sent to /sw.js.
      var asked = { credentials: "same-origin", redirect: "follow", referrerPolicy: "no-referrer" };
      return fetch(url, asked).then(function (response) {
        return keepPage(response.redirected ? [url, response.url] : [url], response);
      });
    });
  }, Promise.resolve()).catch(function () {
    // No connection: the copies kept stay.
  });
}

self.addEventListener("message", function (event) {
  // The page asks for every copy to go (log-out): nothing of this person stays.
  if (event.data === "forget") event.waitUntil(forgetOthers(""));
  if (event.data && event.data.warm) event.waitUntil(warm(event.data.warm));
});
