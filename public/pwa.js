// Registers the service worker and tells the app when a new version waits.
// The app shows the prompt; the new worker takes over only when asked.
(function () {
  if (!("serviceWorker" in navigator)) return;
  var waitingReg = null;
  var requested = false;
  function announce(reg) {
    waitingReg = reg;
    window.__linliUpdateWaiting = true;
    window.dispatchEvent(new CustomEvent("linli-update-available"));
  }
  window.linliApplyUpdate = function () {
    if (waitingReg && waitingReg.waiting) {
      requested = true;
      waitingReg.waiting.postMessage({ type: "SKIP_WAITING" });
    } else {
      location.reload();
    }
  };
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    // Only reload for an update the user asked for, not the first install.
    if (requested) location.reload();
  });
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (reg) {
    if (reg.waiting && navigator.serviceWorker.controller) announce(reg);
    reg.addEventListener("updatefound", function () {
      var worker = reg.installing;
      if (!worker) return;
      worker.addEventListener("statechange", function () {
        if (worker.state === "installed" && navigator.serviceWorker.controller) announce(reg);
      });
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") reg.update().catch(function () {});
    });
  }).catch(function (err) {
    console.warn("service worker registration failed", err);
  });
})();
