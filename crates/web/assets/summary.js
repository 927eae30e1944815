// The live satisfaction summary: every rating given anywhere arrives as a fresh summary of
// the day (server-sent events; the browser reconnects by itself) and the tables are redrawn.
(function () {
  var source = new EventSource("/api/v1/stats/satisfaction/live");
  function cell(tag, text, cls) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (cls) { el.className = cls; }
    return el;
  }
  source.addEventListener("summary", function (e) {
    var s = JSON.parse(e.data);
    ["agency", "branch", "counter", "officer"].forEach(function (by) {
      var body = document.getElementById("summary-" + by);
      if (!body) { return; }
      while (body.firstChild) { body.removeChild(body.firstChild); }
      s[by].forEach(function (r) {
        var tr = document.createElement("tr");
        tr.dataset.key = r.key;
        var name = cell("th", r.label);
        name.scope = "row";
        tr.appendChild(name);
        tr.appendChild(cell("td", String(r.total), "num"));
        tr.appendChild(cell("td", String(r.very_satisfied), "num"));
        tr.appendChild(cell("td", String(r.satisfied), "num"));
        tr.appendChild(cell("td", String(r.dissatisfied), "num"));
        // The page's language decides the decimal mark ("90,9 %" in Vietnamese).
        var percent = r.satisfied_percent === null ? "–"
          : r.satisfied_percent.toLocaleString(document.documentElement.lang || "vi",
              { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + " %";
        tr.appendChild(cell("td", percent, "num"));
        body.appendChild(tr);
      });
    });
  });
})();
