/* payluk-sandbox console: reload the page when its namespace changes (polled every 3 s). */
(function () {
  "use strict";
  var body = document.body;
  var shown = body.getAttribute("data-version");
  var url = body.getAttribute("data-version-url");
  if (!shown || !url || !window.fetch) { return; }

  function busy() {
    // Never reload under a person's hands: a focused field or an open <details> being read.
    var active = document.activeElement;
    if (active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) { return true; }
    return document.querySelector("details[open]") !== null;
  }

  function poll() {
    if (document.hidden || busy()) { return; }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && answer.data && answer.data.version !== shown && !busy()) { window.location.reload(); }
      })
      .catch(function () { /* the sandbox restarted or the network blinked: try again next tick */ });
  }

  window.setInterval(poll, 3000);
})();
