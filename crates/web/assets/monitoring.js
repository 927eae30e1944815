// The staff monitoring page refreshes itself: the server sends the figures again (their HTML)
// when they have changed, at most once a minute; the browser reconnects by itself.
(function () {
  var figures = document.getElementById("figures");
  var status = document.getElementById("live-status");
  if (!figures || !window.EventSource) { return; }
  var source = new EventSource("/staff/monitoring/live");
  source.addEventListener("figures", function (e) {
    figures.innerHTML = e.data;
    if (status) { status.textContent = status.dataset.updated || status.textContent; }
  });
})();
