// The member's monthly report form: autosave to the server, an offline copy in localStorage (one per
// report) restored after a reload, sent again when the connection returns. Every save carries this
// browser's device id: a copy this device has not sent yet is its newest work, so the server takes
// it even on top of this device's own later-numbered saves (an answer lost on a bad connection),
// and refuses it only when another device or person saved in between (a true conflict).
// The page works without this file (plain form POST, strict versions).
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
  var PREFIX = "jijian.report." + reportId + ".v";  // the older format: one copy per version
  var KEY = "jijian.report." + reportId + ".copy";
  var deviceInput = form.querySelector("input[name=device]");

  function deviceId() {
    var id = null;
    try { id = localStorage.getItem("jijian.device"); } catch (e) { /* storage disabled */ }
    if (!id) {
      id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
      try { localStorage.setItem("jijian.device", id); } catch (e) { /* storage disabled */ }
    }
    return id;
  }
  if (deviceInput) { deviceInput.value = deviceId(); }

  function key() { return KEY; }

  function show(text, isError) {
    status.textContent = text;
    status.hidden = false;
    status.className = isError ? "errors" : "notice";
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.name !== "version" && el.name !== "device" && el.name !== "action" && el.name !== "endorse";
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
    // Copies kept in the older one-per-version format: the copy under KEY replaces them.
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var k = localStorage.key(i);
      if (k && k.indexOf(PREFIX) === 0) { localStorage.removeItem(k); }
    }
  }

  function keepOffline() {
    try { localStorage.setItem(key(), JSON.stringify(snapshot())); } catch (e) { /* storage full or disabled */ }
  }

  function send() {
    if (!dirty || conflict || sending) { return; }
    if (navigator.onLine === false) { show(gettext("网络未连接：草稿已保存在本机，联网后自动上传")); return; }
    sending = true;
    var body = new FormData(form);
    fetch(draftUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        // Sent on to the sign-in page: the session ended, not the connection.
        if (response.redirected) { return { signedOut: true }; }
        return response.json().then(function (payload) { return { status: response.status, payload: payload }; });
      })
      .then(function (result) {
        sending = false;
        if (result.signedOut) {
          show(gettext("登录已失效：草稿已保存在本机，请重新登录后打开本月报，将自动恢复并保存"), true);
        } else if (result.status === 200) {
          localStorage.removeItem(key());
          versionInput.value = String(result.payload.version);
          dirty = false;
          forgetOlder();
          show(interpolate(gettext("草稿已自动保存 %(time)s"), { time: new Date().toLocaleTimeString() }, true));
        } else if (result.status === 409) {
          conflict = true;
          show(gettext("已在其他设备修改，请刷新"), true);
        } else {
          show((result.payload.error && result.payload.error.message) || gettext("草稿未保存，请检查填写内容"), true);
        }
      })
      .catch(function () {
        sending = false;
        show(gettext("网络未连接：草稿已保存在本机，联网后自动上传"));
      });
  }

  // A copy typed offline (or not yet sent) survives a reload: put it back into the form.
  // It is this device's newest work whatever version the page now shows; the server decides
  // whether someone else saved in between.
  var saved = localStorage.getItem(key());
  for (var j = 0; !saved && j < localStorage.length; j++) {  // a copy kept by the older format
    var old = localStorage.key(j);
    if (old && old.indexOf(PREFIX) === 0) { saved = localStorage.getItem(old); }
  }
  if (saved) {
    try {
      var data = JSON.parse(saved);
      if (JSON.stringify(data) !== JSON.stringify(snapshot())) {
        restore(data);
        dirty = true;
        keepOffline();
        show(gettext("已恢复本机未上传的草稿（本机最新的内容），联网后将自动保存"));
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
        if (!response.ok) { notice(gettext("暂存的履职纪实上传失败，稍后重试"), true); return; }
        // Saved means sent on to the month's log. A redirect anywhere else (the sign-in page after
        // the session ended) saved nothing: the record stays queued until the member signs in again.
        var saved = item.saved || item.url.replace(/new\/$/, "");
        if (response.redirected && new URL(response.url).pathname !== saved) {
          notice(interpolate(gettext("登录已失效：%(count)s 条暂存的履职纪实仍保存在本机，请重新登录，打开“履职纪实”后自动上传"), { count: load().length }, true), true);
          return;
        }
        store(load().filter(function (other) { return other.uuid !== item.uuid; }));
        if (response.redirected) {
          notice(interpolate(gettext("暂存的履职纪实已上传（%(record)s）"), { record: item.label }, true));
        } else {
          notice(interpolate(gettext("暂存的一条履职纪实（%(record)s）未通过检查，请重新填写"), { record: item.label }, true), true);
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
      items.push({ uuid: uuid, url: location.pathname, saved: recordForm.getAttribute("data-saved"), label: recordForm.getAttribute("data-label"), fields: fields });
      store(items);
      Array.prototype.forEach.call(recordForm.elements, function (el) { el.disabled = true; });
      var photos = recordForm.querySelector("input[type=file]");
      notice(photos && photos.files.length
        ? gettext("网络未连接：这条纪实已暂存在本机，联网后自动上传（照片请联网后在“修改”中补传）")
        : gettext("网络未连接：这条纪实已暂存在本机，联网后自动上传"));
    });
  }
  window.addEventListener("online", flush);
  if (load().length) { notice(interpolate(gettext("本机有 %(count)s 条暂存的履职纪实，联网后自动上传"), { count: load().length }, true)); }
  flush();
})();

// Photos of a duty record: compressed on the phone before upload (JPEG, longest side 1600 px, a
// lower quality until it is small enough) unless the city keeps originals as evidence
// (data-compress="0"), then sent with XMLHttpRequest so that each file shows its progress. The
// server still checks and re-encodes every file. Without this script the form posts as it is.
(function () {
  "use strict";
  var form = document.getElementById("record-form");
  var list = document.getElementById("upload-progress");
  if (!form || !list || !window.XMLHttpRequest || !window.FormData) { return; }
  var input = form.querySelector("input[type=file][name=uploads]");
  if (!input) { return; }
  var MAX_SIDE = 1600;
  var TARGET_BYTES = 450 * 1024;
  var compress = form.getAttribute("data-compress") === "1";
  var sending = false;

  function isPhoto(file) { return /^image\/(jpeg|png|webp|heic|heif)$/i.test(file.type); }

  function toBlob(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" });
    }
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = reject;
      img.src = URL.createObjectURL(file);
    });
  }

  function shrink(file) {
    if (!compress || !isPhoto(file)) { return Promise.resolve(file); }
    return decode(file).then(function (image) {
      var scale = Math.min(1, MAX_SIDE / Math.max(image.width, image.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(image.width * scale);
      canvas.height = Math.round(image.height * scale);
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      var qualities = [0.82, 0.72, 0.62, 0.5];
      function attempt(i) {
        return toBlob(canvas, qualities[i]).then(function (blob) {
          if (blob && blob.size > TARGET_BYTES && i + 1 < qualities.length) { return attempt(i + 1); }
          return blob;
        });
      }
      return attempt(0).then(function (blob) {
        if (!blob || blob.size >= file.size) { return file; }  // already small: send it as it is
        var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
        return new File([blob], name, { type: "image/jpeg" });
      });
    }).catch(function () { return file; });  // the browser cannot decode it: the server decides
  }

  function row(file) {
    var li = document.createElement("li");
    var label = document.createElement("span");
    label.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    var note = document.createElement("span");
    note.className = "muted";
    note.textContent = gettext("压缩中…");
    li.appendChild(label);
    li.appendChild(bar);
    li.appendChild(note);
    list.appendChild(li);
    return { bar: bar, note: note };
  }

  function kb(n) { return n < 1024 * 1024 ? Math.round(n / 1024) + " KB" : (n / 1048576).toFixed(1) + " MB"; }

  form.addEventListener("submit", function (event) {
    if (navigator.onLine === false || sending || !input.files.length) { return; }  // offline queue / plain post
    event.preventDefault();
    sending = true;
    var originals = Array.prototype.slice.call(input.files);
    list.textContent = "";
    list.hidden = false;
    var rows = originals.map(row);
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    Promise.all(originals.map(shrink)).then(function (files) {
      var body = new FormData(form);
      body.delete("uploads");
      var offsets = [];
      var total = 0;
      files.forEach(function (file, i) {
        body.append("uploads", file, file.name);
        offsets.push([total, file.size]);
        total += file.size;
        rows[i].note.textContent = file === originals[i] ? kb(file.size) : kb(originals[i].size) + " → " + kb(file.size);
      });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action") || location.href);
      // Each file's share of the bytes sent so far (the files go in order, after the small fields).
      xhr.upload.addEventListener("progress", function (e) {
        var sent = e.loaded - Math.max(0, e.total - total);
        offsets.forEach(function (span, i) {
          var done = span[1] ? Math.max(0, Math.min(1, (sent - span[0]) / span[1])) : 1;
          rows[i].bar.value = Math.round(done * 100);
        });
      });
      xhr.addEventListener("load", function () {
        rows.forEach(function (r) { r.bar.value = 100; });
        if (xhr.responseURL && xhr.responseURL.split("#")[0] !== location.href.split("#")[0]) {
          location.assign(xhr.responseURL);  // saved: the server redirected to the month's log
          return;
        }
        document.open();  // refused: the server's page with its messages, as a plain post shows it
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        sending = false;
        if (button) { button.disabled = false; }
        rows.forEach(function (r) { r.note.textContent = gettext("上传失败，请检查网络后重试"); });
      });
      xhr.send(body);
    });
  });
})();
