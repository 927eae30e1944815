// The counter's rating tablet: when this counter calls a ticket (an event on the branch's
// board stream), the page reloads to ask the new applicant; after a rating it thanks them and
// returns to waiting.
(function () {
  var tablet = document.getElementById("tablet");
  var url = "/api/v1/branches/" + encodeURIComponent(tablet.dataset.branch) + "/board";
  var source = new EventSource(url);
  source.addEventListener("call", function (e) {
    var call = JSON.parse(e.data);
    if (call.counter_code === tablet.dataset.counter) {
      source.close();
      window.location.replace(window.location.pathname);
    }
  });
  if (document.getElementById("tablet-notice")) {
    setTimeout(function () { window.location.replace(window.location.pathname); }, 8000);
  }
})();
