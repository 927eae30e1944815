// The display board: new calls arrive as server-sent events; the browser's EventSource
// reconnects by itself and sends the last event id, and the server replays what was missed.
(function () {
  var board = document.getElementById("board");
  var rows = document.getElementById("board-calls");
  var url = "/api/v1/branches/" + encodeURIComponent(board.dataset.branch) +
    "/board?after=" + encodeURIComponent(board.dataset.after);
  var audio = null;
  function chime() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [660, 880].forEach(function (f, i) {
        var o = audio.createOscillator(), g = audio.createGain();
        o.frequency.value = f;
        g.gain.setValueAtTime(0.2, audio.currentTime + i * 0.35);
        g.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + i * 0.35 + 0.3);
        o.connect(g); g.connect(audio.destination);
        o.start(audio.currentTime + i * 0.35); o.stop(audio.currentTime + i * 0.35 + 0.3);
      });
    } catch (e) { /* no sound device: the board still shows the call */ }
  }
  var counters = {};
  try { counters = JSON.parse(board.dataset.counters || "{}"); } catch (e) { counters = {}; }
  // "A002" is read as "A, 2", not "A zero zero two".
  function spell(number) {
    return number.replace(/^([A-Za-z]*)0*(\d+)$/, function (_, letters, digits) {
      return (letters ? letters.split("").join(" ") + ", " : "") + digits;
    });
  }
  // The call spoken after the chime, in the board's language, where the screen can speak.
  function say(text) {
    if (!("speechSynthesis" in window)) { return; }
    try {
      var u = new SpeechSynthesisUtterance(text);
      u.lang = board.dataset.lang === "en" ? "en-US" : "vi-VN";
      window.setTimeout(function () { window.speechSynthesis.speak(u); }, 800);
    } catch (e) { /* no voice: the board still shows the call */ }
  }
  // The clock, local to the screen (the centre's time zone on its own screens).
  var clock = document.getElementById("board-clock");
  function tick() {
    var d = new Date();
    clock.textContent = ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
    clock.setAttribute("datetime", d.toISOString());
  }
  if (clock) { tick(); window.setInterval(tick, 10000); }
  var source = new EventSource(url);
  source.addEventListener("call", function (e) {
    var call = JSON.parse(e.data);
    var tr = document.createElement("tr");
    tr.className = "board-new";
    var number = document.createElement("td"), counter = document.createElement("td");
    var name = counters[String(call.counter)] || call.counter_code;
    number.textContent = call.number;
    counter.textContent = name;
    tr.appendChild(number); tr.appendChild(counter);
    rows.insertBefore(tr, rows.firstChild);
    while (rows.children.length > 8) { rows.removeChild(rows.lastChild); }
    chime();
    say(board.dataset.say.replace("{number}", spell(call.number)).replace("{counter}", name));
  });
  // Each group's waiting line and expected wait, whenever they change.
  source.addEventListener("waiting", function (e) {
    JSON.parse(e.data).forEach(function (g) {
      var n = document.getElementById("waiting-" + g.group);
      var w = document.getElementById("wait-" + g.group);
      if (n) { n.textContent = g.waiting; }
      if (w) { w.textContent = g.expected_wait_minutes + " " + board.dataset.minutes; }
    });
  });
})();
