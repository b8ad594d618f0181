{% load i18n %}// The duty manual's service worker (scope /manual/): pages of the manual that this browser opened
// are kept (network first, the kept copy when there is no connection), with the styles and scripts
// they use. Editor's forms, PDFs and the search are not kept. Nothing else of the site passes here.
var CACHE = "jijian-manual-v2";  // v2: a v1 cache could hold the sign-in page under a manual address
var SKIP = /\/(edit|new)\/|\.pdf$|\/cases\/(new\/)?$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("jijian-manual-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

var CATALOG = "{% url 'javascript-catalog' %}";  // the scripts' words, kept like a static file

function keepable(url) {
  if (url.origin !== self.location.origin) { return false; }
  if (url.pathname.indexOf("/static/") === 0 || url.pathname === CATALOG) { return true; }
  return url.pathname.indexOf(self.registration.scope.replace(self.location.origin, "")) === 0
    && !SKIP.test(url.pathname) && !url.search;
}

// Only the page asked for: a redirected answer (the sign-in page, once the session has ended) is
// shown as it is but never kept under the manual page's address.
function keep(request, response) {
  if (response && response.status === 200 && response.type === "basic" && !response.redirected) {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

// A page opened before this worker controlled it: fetch it once more and keep it (and its assets).
self.addEventListener("message", function (event) {
  var href = event.data && event.data.cache;
  if (!href) { return; }
  var url = new URL(href);
  url.hash = "";
  if (!keepable(url)) { return; }
  event.waitUntil(fetch(url.href, { credentials: "same-origin" }).then(function (r) { return keep(url.href, r).text(); })
    .then(function (html) {
      var assets = (html.match(/\/static\/[^"'\s>]+/g) || []).concat(html.match(/\/jsi18n\/[^"'\s>]*/g) || []);
      return Promise.all(assets.map(function (a) {
        return fetch(a).then(function (r) { keep(a, r); }).catch(function () {});
      }));
    }).catch(function () {}));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (!keepable(url)) { return; }
  event.respondWith(fetch(request).then(function (response) {
    return keep(request, response);
  }).catch(function () {
    return caches.match(request.url, { ignoreVary: true }).then(function (hit) {
      return hit || new Response("<!doctype html><meta charset=utf-8><title>{% filter escapejs %}{% translate "无网络" %}{% endfilter %}</title>"
        + "<p style='font:16px sans-serif;padding:1rem'>{% filter escapejs %}{% translate "网络未连接，本页面尚未在本机保存（联网打开过的手册页面可离线查看）。" %}{% endfilter %}</p>",
        { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  }));
});
