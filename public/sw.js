// linli service worker: keeps the app shell so the app starts with no network.
// tools/precache.mjs fills in VERSION and PRECACHE at build time (Trunk
// post_build hook); the version is a hash of every file's content, so any
// change to the build makes a new worker and a new cache.
const VERSION = "__LINLI_VERSION__";
const PRECACHE = __LINLI_PRECACHE__;
const PREFIX = "linli-shell-";
const CACHE = PREFIX + VERSION;

self.addEventListener("install", (event) => {
  // No skipWaiting here: a new version waits until the user agrees to reload.
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(PRECACHE.map((path) => new Request(path, { cache: "reload" }))),
    ),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      // Client routes (/wishes, /settings…) are all the same index.html.
      const key = request.mode === "navigate" ? "/index.html" : request;
      const hit = await cache.match(key);
      return hit || fetch(request);
    })(),
  );
});
