// Keeps the Invitations page's "Sending in the background" counts up to date without a
// reload: asks the page's JSON endpoint every two seconds until every job has finished.
// Without JavaScript the page shows the counts as they were when it loaded.
(function () {
  "use strict";
  var box = document.getElementById("mail-progress");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-url");

  function unfinished() {
    return box.querySelectorAll('tr[data-finished="no"]').length > 0;
  }

  function update(jobs) {
    jobs.forEach(function (job) {
      var row = box.querySelector('tr[data-job="' + job.id + '"]');
      if (!row) {
        return;
      }
      ["status_label", "expected", "queued", "sent", "failed"].forEach(function (field) {
        var cell = row.querySelector('[data-field="' + field + '"]');
        if (cell) {
          cell.textContent = String(job[field]);
        }
      });
      if (job.finished) {
        row.setAttribute("data-finished", "yes");
      }
    });
  }

  function poll() {
    if (!unfinished()) {
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { jobs: [] };
      })
      .then(function (data) {
        update(data.jobs || []);
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 2000);
})();
