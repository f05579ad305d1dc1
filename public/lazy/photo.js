// Photos made small on the device before anything is stored (issue 20;
// docs/photos.md). One file, two roles:
// - in the page (a script tag the app adds when a photo is picked) it
//   defines window.linliShrink(file) → Promise<{full, thumb, type, width,
//   height, ms}> (full and thumb are Uint8Arrays). Where the browser has
//   OffscreenCanvas it hands the work to a Worker running this same file,
//   so the form never freezes; elsewhere it does it here with a canvas.
// - in a Worker it answers {id, file} messages with the result.
// Decoding honours the EXIF orientation (imageOrientation: "from-image");
// re-encoding through a canvas keeps pixels only, so EXIF (GPS included)
// and every other metadata block are gone. WebP where the browser encodes
// it, JPEG where not. Limits are linli_core::photos' constants.
(function () {
  "use strict";
  var MAX_SIDE = 1280;
  var TARGET = 200000;
  var THUMB_SIDE = 240;
  var THUMB_MAX = 15000;

  function canvas(w, h) {
    if (typeof OffscreenCanvas !== "undefined") return new OffscreenCanvas(w, h);
    var c = document.createElement("canvas");
    c.width = w;
    c.height = h;
    return c;
  }

  function encode(c, type, quality) {
    if (c.convertToBlob) return c.convertToBlob({ type: type, quality: quality });
    return new Promise(function (resolve, reject) {
      c.toBlob(function (b) {
        if (b) resolve(b);
        else reject(new Error("encode failed"));
      }, type, quality);
    });
  }

  function draw(bitmap, side) {
    var w = bitmap.width;
    var h = bitmap.height;
    var scale = Math.min(1, side / Math.max(w, h));
    var cw = Math.max(1, Math.round(w * scale));
    var ch = Math.max(1, Math.round(h * scale));
    var c = canvas(cw, ch);
    var ctx = c.getContext("2d");
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(bitmap, 0, 0, cw, ch);
    return c;
  }

  // The best quality that fits `max` bytes; smaller pixels if none does.
  async function fit(bitmap, side, max, type) {
    for (var s = side; s >= 64; s = Math.round(s * 0.75)) {
      var c = draw(bitmap, s);
      for (var q = 0.82; q >= 0.3; q -= 0.13) {
        var b = await encode(c, type, q);
        if (b.type !== type) return null; // this browser cannot encode `type`
        if (b.size <= max) return { blob: b, width: c.width, height: c.height };
      }
    }
    throw new Error("photo does not shrink");
  }

  async function shrink(file) {
    var t0 = Date.now();
    var bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    try {
      var type = "image/webp";
      var full = await fit(bitmap, MAX_SIDE, TARGET, type);
      if (!full) {
        type = "image/jpeg";
        full = await fit(bitmap, MAX_SIDE, TARGET, type);
      }
      var thumb = await fit(bitmap, THUMB_SIDE, THUMB_MAX, type);
      return {
        full: new Uint8Array(await full.blob.arrayBuffer()),
        thumb: new Uint8Array(await thumb.blob.arrayBuffer()),
        type: type,
        width: full.width,
        height: full.height,
        ms: Date.now() - t0,
      };
    } finally {
      if (bitmap.close) bitmap.close();
    }
  }

  if (typeof window === "undefined") {
    // In the Worker.
    self.onmessage = function (e) {
      var id = e.data.id;
      shrink(e.data.file).then(
        function (r) {
          self.postMessage({ id: id, result: r }, [r.full.buffer, r.thumb.buffer]);
        },
        function (err) {
          self.postMessage({ id: id, error: String(err && err.message ? err.message : err) });
        },
      );
    };
    return;
  }

  var worker = null;
  var next = 0;
  var waiting = {};
  var src = document.currentScript ? document.currentScript.src : "/lazy/photo.js";

  function viaWorker(file) {
    if (!worker) {
      worker = new Worker(src);
      worker.onmessage = function (e) {
        var w = waiting[e.data.id];
        delete waiting[e.data.id];
        if (!w) return;
        if (e.data.error) w.reject(new Error(e.data.error));
        else w.resolve(e.data.result);
      };
      worker.onerror = function () {
        // The worker could not start: do the rest here.
        var pending = waiting;
        waiting = {};
        worker = false;
        Object.keys(pending).forEach(function (id) {
          shrink(pending[id].file).then(pending[id].resolve, pending[id].reject);
        });
      };
    }
    return new Promise(function (resolve, reject) {
      var id = ++next;
      waiting[id] = { resolve: resolve, reject: reject, file: file };
      worker.postMessage({ id: id, file: file });
    });
  }

  window.linliShrink = function (file) {
    var offscreen =
      typeof OffscreenCanvas !== "undefined" &&
      typeof Worker !== "undefined" &&
      OffscreenCanvas.prototype.convertToBlob;
    if (offscreen && worker !== false) return viaWorker(file);
    return shrink(file);
  };
  // Where the work ran, for tests and the benchmark.
  window.linliShrinkOnMainThread = function (file) {
    return shrink(file);
  };
})();
