/* Live progress of report runs: polls each unfinished run's status until it is done or failed. */
(function () {
  "use strict";
  function poll(row) {
    fetch(row.getAttribute("data-status-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        row.querySelector(".run-progress").value = s.progress;
        row.querySelector(".run-pct").textContent = s.progress + "%";
        row.querySelector(".run-status").textContent = s.status_label + (s.error ? " — " + s.error : "");
        row.setAttribute("data-status", s.status);
        if (s.status === "done") {
          var files = row.querySelector(".run-files");
          files.textContent = "";
          [["xlsx", "XLSX"], ["pdf", "PDF"]].forEach(function (k) {
            if (s[k[0]]) { var a = document.createElement("a"); a.href = s[k[0]]; a.className = "file-" + k[0]; a.textContent = k[1]; files.appendChild(a); files.appendChild(document.createTextNode(" ")); }
          });
        } else if (s.status !== "failed") {
          setTimeout(function () { poll(row); }, 1000);
        }
      })
      .catch(function () { setTimeout(function () { poll(row); }, 3000); });
  }
  document.querySelectorAll("tr.report-run").forEach(function (row) {
    var st = row.getAttribute("data-status");
    if (st === "queued" || st === "running") { poll(row); }
  });
})();
