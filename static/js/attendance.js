/* Attendance roster: one-tap marking and QR check-in without reloading the page.
 * Without JavaScript the same forms post normally and the server redirects back.
 * Uses jsQR (static/vendor/jsQR.js, from the npm package "jsqr") to read QR codes.
 */
(function () {
  "use strict";
  var root = document.getElementById("attendance");
  if (!root || !window.fetch) { return; }
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var message = document.getElementById("att-message");
  var STYLES = { present: "success", late: "warning", excused: "info", absent: "danger" };
  /* the page's own words, in the reader's language (data-msg-* on #attendance) */
  function text(name, fallback) { return root.getAttribute("data-msg-" + name) || fallback; }

  function say(text, kind) {
    if (!message) { return; }
    /* a fixed toast (static/css/app.css .att-toast): the rows under the finger stay put */
    message.className = "att-toast att-toast-shown alert alert-" + (kind || "info") + " py-2";
    message.textContent = text;
  }

  function post(url, form, extra) {
    var data = new FormData(form);
    Object.keys(extra || {}).forEach(function (k) { data.set(k, extra[k]); });
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf }
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, error: text("server", "The server did not answer.") + " (" + response.status + ")" };
      });
    });
  }

  function updateCounts() {
    var counts = { present: 0, late: 0, excused: 0, absent: 0, unmarked: 0 };
    document.querySelectorAll("#roster [data-key]").forEach(function (li) {
      var s = li.getAttribute("data-status");
      if (counts.hasOwnProperty(s) && s !== "unmarked") { counts[s] += 1; } else { counts.unmarked += 1; }
    });
    Object.keys(counts).forEach(function (k) {
      var el = document.querySelector('[data-count="' + k + '"]');
      if (el) { el.textContent = counts[k]; }
    });
  }

  function updateRow(entry) {
    var li = document.getElementById(entry.key);
    if (!li) { window.location.reload(); return; }
    li.setAttribute("data-status", entry.status || "");
    li.querySelectorAll("button[name=status]").forEach(function (b) {
      var st = b.value, on = st === entry.status;
      b.classList.remove("btn-" + STYLES[st], "btn-outline-" + STYLES[st]);
      b.classList.add(on ? "btn-" + STYLES[st] : "btn-outline-" + STYLES[st]);
      b.setAttribute("aria-pressed", on ? "true" : "false");
      if (on) { li.querySelector(".att-status").textContent = b.textContent; }
    });
    var badge = li.querySelector(".att-status");
    badge.className = "att-status badge bg-" + (STYLES[entry.status] || "light");
    li.querySelector(".att-time").textContent = entry.checked_in || "";
    updateCounts();
  }

  // one tap: the button that was pressed gives the status
  document.querySelectorAll("form.js-mark").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = event.submitter;
      if (!button) { form.submit(); return; }
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      post(root.getAttribute("data-mark-url"), form, { status: button.value })
        .then(function (answer) {
          if (answer.ok) { updateRow(answer.entry); say(answer.message, "success"); }
          else { say(answer.error, "danger"); }
        })
        .catch(function () { say(text("offline-mark", "No connection: the mark was not saved."), "danger"); })
        .finally(function () { form.querySelectorAll("button").forEach(function (b) { b.disabled = false; }); });
    });
  });

  var checkinForm = document.querySelector("form.js-checkin");
  function checkIn(scanned) {
    return post(root.getAttribute("data-checkin-url"), checkinForm, { scanned: scanned ? "1" : "0" })
      .then(function (answer) {
        if (answer.ok) {
          updateRow(answer.entry);
          say(answer.message, answer.already ? "warning" : "success");
          checkinForm.reset();
        } else {
          say(answer.error, "danger");
        }
        return answer;
      })
      .catch(function () { say(text("offline-checkin", "No connection: the check-in was not saved."), "danger"); });
  }
  if (checkinForm) {
    checkinForm.addEventListener("submit", function (event) {
      event.preventDefault();
      checkIn(false);
    });
  }

  // camera QR reader
  var start = document.getElementById("qr-start");
  var stop = document.getElementById("qr-stop");
  var box = document.getElementById("qr-box");
  var video = document.getElementById("qr-video");
  var canvas = document.getElementById("qr-canvas");
  var stream = null, lastCode = "", lastAt = 0, busy = false;
  if (!start || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) { return; }
  start.classList.remove("d-none");

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    box.classList.add("d-none");
  }

  function scan() {
    if (!stream) { return; }
    if (video.readyState === video.HAVE_ENOUGH_DATA && !busy) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      var now = Date.now();
      if (found && found.data && (found.data !== lastCode || now - lastAt > 4000)) {
        lastCode = found.data; lastAt = now; busy = true;
        checkinForm.querySelector("[name=code]").value = found.data;
        checkIn(true).finally(function () { busy = false; });
      }
    }
    window.requestAnimationFrame(scan);
  }

  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        box.classList.remove("d-none");
        return video.play();
      })
      .then(function () { window.requestAnimationFrame(scan); })
      .catch(function () { say(text("camera", "The camera is not available: type the code instead."), "warning"); stopCamera(); });
  });
  stop.addEventListener("click", stopCamera);
  window.addEventListener("pagehide", stopCamera);
})();
