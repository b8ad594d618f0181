// The member's monthly report form: autosave to the server, an offline copy in localStorage
// (keyed by report id and version) restored after a reload, sent again when the connection returns.
// The page works without this file (plain form POST).
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var reportId = form.getAttribute("data-report-id");
  var draftUrl = form.getAttribute("data-draft-url");
  var versionInput = form.querySelector("input[name=version]");
  var status = document.getElementById("draft-status");
  var dirty = false;
  var conflict = false;
  var sending = false;
  var PREFIX = "jijian.report." + reportId + ".v";

  function key() { return PREFIX + versionInput.value; }

  function show(text, isError) {
    status.textContent = text;
    status.hidden = false;
    status.className = isError ? "errors" : "notice";
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.name !== "version" && el.name !== "action" && el.name !== "endorse";
    });
  }

  function snapshot() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "radio") { if (el.checked) { data[el.name] = el.value; } }
      else if (el.type === "checkbox") { data[el.name] = el.checked; }
      else { data[el.name] = el.value; }
    });
    return data;
  }

  function restore(data) {
    fields().forEach(function (el) {
      if (!(el.name in data)) { return; }
      if (el.type === "radio") { el.checked = data[el.name] === el.value; }
      else if (el.type === "checkbox") { el.checked = !!data[el.name]; }
      else { el.value = data[el.name]; }
    });
  }

  function forgetOlder() {
    // Copies of older versions of this report are superseded once the server has a newer one.
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var k = localStorage.key(i);
      if (k && k.indexOf(PREFIX) === 0 && k !== key()) { localStorage.removeItem(k); }
    }
  }

  function keepOffline() {
    try { localStorage.setItem(key(), JSON.stringify(snapshot())); } catch (e) { /* storage full or disabled */ }
  }

  function send() {
    if (!dirty || conflict || sending) { return; }
    if (navigator.onLine === false) { show("网络未连接：草稿已保存在本机，联网后自动上传"); return; }
    sending = true;
    var body = new FormData(form);
    fetch(draftUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.json().then(function (payload) { return { status: response.status, payload: payload }; });
      })
      .then(function (result) {
        sending = false;
        if (result.status === 200) {
          localStorage.removeItem(key());
          versionInput.value = String(result.payload.version);
          dirty = false;
          forgetOlder();
          show("草稿已自动保存 " + new Date().toLocaleTimeString());
        } else if (result.status === 409) {
          conflict = true;
          show("已在其他设备修改，请刷新", true);
        } else {
          show((result.payload.error && result.payload.error.message) || "草稿未保存，请检查填写内容", true);
        }
      })
      .catch(function () {
        sending = false;
        show("网络未连接：草稿已保存在本机，联网后自动上传");
      });
  }

  // A copy typed offline (or not yet sent) survives a reload: put it back into the form.
  var saved = localStorage.getItem(key());
  if (saved) {
    try {
      var data = JSON.parse(saved);
      if (JSON.stringify(data) !== JSON.stringify(snapshot())) {
        restore(data);
        dirty = true;
        show("已恢复本机未上传的草稿，联网后将自动保存");
      }
    } catch (e) { localStorage.removeItem(key()); }
  }
  forgetOlder();

  var timer = null;
  form.addEventListener("input", function () {
    dirty = true;
    keepOffline();
    clearTimeout(timer);
    timer = setTimeout(send, 3000);
  });
  form.addEventListener("change", function () { dirty = true; keepOffline(); });
  form.addEventListener("submit", function () { localStorage.removeItem(key()); });
  window.addEventListener("online", send);
  setInterval(send, 30000);
  if (dirty) { send(); }
})();

// Duty records written without signal: the form is kept in a queue on the phone and sent when the
// connection returns (from any member page). Each carries its client_uuid, so a retry after a lost
// answer creates no second record. Photos are not kept offline: add them once online.
(function () {
  "use strict";
  var QUEUE = "jijian.records.queue";
  var flushing = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function store(items) {
    if (items.length) { localStorage.setItem(QUEUE, JSON.stringify(items)); } else { localStorage.removeItem(QUEUE); }
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function notice(text, isError) {
    var box = document.getElementById("queue-status");
    if (!box) {
      box = document.createElement("p");
      box.id = "queue-status";
      var main = document.querySelector("main");
      main.insertBefore(box, main.firstChild);
    }
    box.className = isError ? "errors" : "notice";
    box.textContent = text;
  }

  function flush() {
    var items = load();
    if (flushing || !items.length || navigator.onLine === false) { return; }
    flushing = true;
    var item = items[0];
    var body = new FormData();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    body.append("csrfmiddlewaretoken", csrfToken());
    fetch(item.url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        flushing = false;
        if (!response.ok) { notice("暂存的履职纪实上传失败，稍后重试", true); return; }
        store(load().filter(function (other) { return other.uuid !== item.uuid; }));
        if (response.redirected) {
          notice("暂存的履职纪实已上传（" + item.label + "）");
        } else {
          notice("暂存的一条履职纪实（" + item.label + "）未通过检查，请重新填写", true);
        }
        flush();
      })
      .catch(function () { flushing = false; });
  }

  var recordForm = document.getElementById("record-form");
  if (recordForm && recordForm.getAttribute("data-queue") === "1") {
    recordForm.addEventListener("submit", function (event) {
      if (navigator.onLine !== false) { return; }
      event.preventDefault();
      var fields = [];
      Array.prototype.forEach.call(recordForm.elements, function (el) {
        if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken") { return; }
        if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
        fields.push([el.name, el.value]);
      });
      var uuid = recordForm.querySelector("input[name=client_uuid]").value;
      var items = load().filter(function (other) { return other.uuid !== uuid; });
      items.push({ uuid: uuid, url: location.pathname, label: recordForm.getAttribute("data-label"), fields: fields });
      store(items);
      Array.prototype.forEach.call(recordForm.elements, function (el) { el.disabled = true; });
      notice("网络未连接：这条纪实已暂存在本机，联网后自动上传" + (recordForm.querySelector("input[type=file]") && recordForm.querySelector("input[type=file]").files.length ? "（照片请联网后在“修改”中补传）" : ""));
    });
  }
  window.addEventListener("online", flush);
  if (load().length) { notice("本机有 " + load().length + " 条暂存的履职纪实，联网后自动上传"); }
  flush();
})();
