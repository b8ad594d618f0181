// The exam page: every change of an answer is saved at once (the server keeps the newest by its change
// number), kept in this browser until the server has it (a dropped connection loses nothing: it is sent
// again when the connection is back, or after a reload), and the clock counts down the server's time.
(function () {
  "use strict";
  var bar = document.getElementById("exam-bar");
  var form = document.getElementById("exam-form");
  if (!bar || !form) { return; }
  var saveUrl = bar.getAttribute("data-save-url");
  var storeKey = "jijian-sitting-" + bar.getAttribute("data-sitting");
  var status = document.getElementById("exam-status");
  var clock = document.getElementById("exam-clock");
  var end = Date.now() + parseInt(bar.getAttribute("data-remaining"), 10) * 1000;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var submitting = false;
  var lastSeq = 0;

  function pending() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  function keep(all) {
    try { window.localStorage.setItem(storeKey, JSON.stringify(all)); } catch (e) { /* private mode: the server copy still counts */ }
  }
  function say(text, bad) {
    status.textContent = text;
    status.className = bad ? "error" : "muted";
  }
  function nextSeq() {
    lastSeq = Math.max(Date.now(), lastSeq + 1);
    return lastSeq;
  }
  function inputsOf(position) {
    return form.querySelectorAll("[data-position='" + position + "']");
  }
  function valuesOf(position) {
    var out = [];
    inputsOf(position).forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) { out.push(input.value); }
      } else if (input.value.trim() !== "") {
        out.push(input.value);
      }
    });
    return out;
  }
  function show(position, values) {
    inputsOf(position).forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = values.indexOf(input.value) !== -1;
      } else {
        input.value = values.length ? values[0] : "";
      }
    });
  }
  function seqField(position) {
    return form.querySelector("[data-seq-for='" + position + "']");
  }

  function send(position) {
    var entry = pending()[position];
    if (!entry) { return Promise.resolve(); }
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf);
    body.append("position", position);
    body.append("seq", entry.seq);
    entry.values.forEach(function (v) { body.append("value", v); });
    return fetch(saveUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf } })
      .then(function (response) {
        // Sent on to the sign-in page: the session ended (signed in elsewhere), not the connection.
        if (response.redirected) { return { signedOut: true }; }
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (r) {
        if (r.signedOut) {
          say(gettext("登录已失效：答案已暂存在本机，请重新登录后回到本考试继续作答"), true);
        } else if (r.status === 200) {
          var all = pending();
          if (all[position] && all[position].seq === entry.seq) { delete all[position]; keep(all); }
          say(interpolate(gettext("已保存 %(time)s"), { time: new Date().toLocaleTimeString("zh-CN", { hour12: false }) }, true));
        } else {
          say(r.data.error || gettext("保存失败"), true);
          if (r.data.closed) { window.location.reload(); }
        }
      })
      .catch(function () {
        say(gettext("网络中断：答案已暂存在本机，恢复连接后自动保存"), true);
      });
  }
  function flush() {
    Object.keys(pending()).forEach(send);
  }
  function remember(position) {
    var seq = nextSeq();
    var all = pending();
    all[position] = { values: valuesOf(position), seq: seq };
    keep(all);
    seqField(position).value = seq;
  }
  function changed(event) {
    var position = event.target.getAttribute("data-position");
    if (!position) { return; }
    remember(position);
    send(position);
  }

  // Answers this browser has that the server does not (typed offline, then reloaded): show, resend.
  var stored = pending();
  Object.keys(stored).forEach(function (position) {
    var field = seqField(position);
    if (!field) { return; }
    if (stored[position].seq >= parseInt(field.value, 10)) {
      show(position, stored[position].values);
      field.value = stored[position].seq;
      lastSeq = Math.max(lastSeq, stored[position].seq);
    } else {
      delete stored[position];
    }
  });
  keep(stored);
  flush();

  var timers = {};
  form.addEventListener("change", changed);
  form.addEventListener("input", function (event) {
    if (event.target.type !== "text") { return; }
    var position = event.target.getAttribute("data-position");
    if (!position) { return; }
    remember(position);  // kept in this browser at once: a reload while typing loses nothing
    window.clearTimeout(timers[position]);
    timers[position] = window.setTimeout(function () { send(position); }, 500);
  });
  window.addEventListener("online", flush);
  window.setInterval(function () { if (Object.keys(pending()).length) { flush(); } }, 10000);

  form.addEventListener("submit", function (event) {
    if (submitting) { return; }
    if (!navigator.onLine) {
      event.preventDefault();
      say(gettext("网络中断，恢复连接后再交卷（答案已暂存在本机）"), true);
      return;
    }
    var button = document.getElementById("exam-submit");
    if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); return; }
    submitting = true;
  });

  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    var m = Math.floor(left / 60);
    var s = left % 60;
    clock.textContent = interpolate(gettext("%(minutes)s 分 %(seconds)s 秒"), { minutes: m, seconds: (s < 10 ? "0" : "") + s }, true);
    if (left <= 0 && !submitting) {
      submitting = true;
      if (!navigator.onLine) {
        // Submitting now would leave the page for the browser's error page: stay, and hand in as soon
        // as the connection is back (the server graded at the deadline with the answers it had).
        say(gettext("时间到。网络已中断，恢复连接后自动交卷"), true);
        window.addEventListener("online", function () {
          say(gettext("时间到，正在交卷"));
          form.submit();
        }, { once: true });
        return;
      }
      say(gettext("时间到，正在交卷"));
      form.submit();
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
}());
