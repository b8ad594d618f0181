// A course material's page. A video or a recording counts as studied once played to (near) its end:
// the parts actually played (media.played, so seeking ahead does not count) cover nine tenths of it;
// the page then sends 我已学完 itself, in the background, so the last minutes still play. Should that
// fail, the button is enabled for the learner to send. A text, PDF or image waits for 我已学完.
(function () {
  "use strict";
  var form = document.getElementById("material-learnt");
  var media = document.querySelector(".material-video, .material-audio");
  if (!form || !media || !form.hasAttribute("data-media")) { return; }
  var button = form.querySelector("button[type=submit]");
  var hint = document.getElementById("material-learnt-hint");
  var sending = false;

  function playedShare() {
    var whole = media.duration;
    if (!whole || !isFinite(whole)) { return 0; }
    var played = 0;
    for (var i = 0; i < media.played.length; i++) { played += media.played.end(i) - media.played.start(i); }
    return played / whole;
  }

  function check() {
    if (sending || playedShare() < 0.9) { return; }
    sending = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (answer) {
        if (!answer.ok) { throw new Error(String(answer.status)); }
        button.hidden = true;
        hint.textContent = gettext("✔ 已学完");
        hint.className = "ok";
      })
      .catch(function () {
        button.disabled = false;
        hint.textContent = gettext("未能自动记录，请点“我已学完”");
      });
  }

  media.addEventListener("timeupdate", check);
  media.addEventListener("ended", check);
})();
