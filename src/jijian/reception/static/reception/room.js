// The video reception room: joins the reception's Janus VideoRoom through Janus's plain HTTP API
// (no third-party client library), publishes the camera and microphone, subscribes to every other
// participant, and reconnects after a drop (the server keeps recording: a new connection is a new
// segment of the same participant). Django gives the room, PIN and publisher id for a short-lived
// join token (data-token); the room's secret never reaches the browser.
//
// The petitioner first waits in the waiting room (the join endpoint answers 202 with a fresh token
// until an official admits them; only then does the page get the room and its PIN). The office's page
// shows who waits and admits or refuses them. A phone can switch between its cameras (the new track
// replaces the old one on the same sender: no renegotiation), and a weak link steps the resolution
// down (480p, 360p, 240p: scaleResolutionDownBy and maxBitrate on the sender, and the room's bitrate
// cap for this publisher through Janus's `configure`) instead of dropping the call.
(function () {
  "use strict";
  var root = document.getElementById("room");
  if (!root) return;
  var statusEl = document.getElementById("room-status");
  var errorEl = document.getElementById("room-error");
  var remotes = document.getElementById("remotes");
  var cfg = null, session = null, base = null, localStream = null, publisherPc = null;
  var waiters = {}, subscribers = {}, handlers = {}, closed = false, attempts = 0;
  var publisherHandle = null, uploadToken = null;

  function status(text) { statusEl.textContent = text; }
  function fail(text) { errorEl.textContent = text; errorEl.hidden = false; status(gettext("未连接")); }
  function tx() { return Math.random().toString(36).slice(2, 12); }

  function post(path, body) {
    body.transaction = tx();
    return fetch(base + path, { method: "POST", body: JSON.stringify(body) })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (answer.janus === "error") throw new Error(answer.error && answer.error.reason);
        return answer;
      });
  }

  // A request whose answer comes as an event on the long poll (plugin messages are asynchronous).
  function send(handle, body, jsep) {
    var msg = { janus: "message", body: body };
    if (jsep) msg.jsep = jsep;
    msg.transaction = tx();
    return new Promise(function (resolve, reject) {
      waiters[msg.transaction] = { resolve: resolve, reject: reject };
      fetch(base + "/" + session + "/" + handle, { method: "POST", body: JSON.stringify(msg) })
        .then(function (r) { return r.json(); })
        .then(function (a) { if (a.janus === "error") reject(new Error(a.error.reason)); })
        .catch(reject);
    });
  }

  function poll() {
    if (closed || session === null) return;
    var mine = session;
    fetch(base + "/" + mine + "?maxev=10&rid=" + Date.now())
      .then(function (r) { return r.json(); })
      .then(function (events) {
        if (mine !== session) return;
        (Array.isArray(events) ? events : [events]).forEach(dispatch);
        poll();
      })
      .catch(function () { if (mine === session) reconnect(); });
  }

  function dispatch(ev) {
    if (ev.janus === "keepalive") return;
    var waiter = ev.transaction && waiters[ev.transaction];
    if (ev.janus === "event" && waiter) {
      delete waiters[ev.transaction];
      var data = ev.plugindata && ev.plugindata.data;
      if (data && data.error) waiter.reject(new Error(data.error));
      else waiter.resolve(ev);
      if (data && data.publishers) data.publishers.forEach(subscribe);
      return;
    }
    if (ev.janus === "hangup" || (ev.janus === "webrtcup")) return;
    var h = handlers[ev.sender];
    if (h) h(ev);
  }

  function gathered(pc) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise(function (resolve) {
      pc.addEventListener("icegatheringstatechange", function () {
        if (pc.iceGatheringState === "complete") resolve();
      });
      setTimeout(resolve, 3000);
    });
  }

  function newPc() {
    var pc = new RTCPeerConnection({ iceServers: cfg.ice_servers });
    pc.addEventListener("iceconnectionstatechange", function () {
      if (pc.iceConnectionState === "failed") reconnect();
    });
    return pc;
  }

  function publish() {
    return post("/" + session, { janus: "attach", plugin: "janus.plugin.videoroom" }).then(function (a) {
      var handle = a.data.id;
      publisherHandle = handle;
      handlers[handle] = function (ev) {
        var data = ev.plugindata && ev.plugindata.data;
        if (!data) return;
        if (data.videoroom === "destroyed") { closed = true; teardown(); status(gettext("接访已结束")); return; }
        if (data.publishers) data.publishers.forEach(subscribe);
        if (data.unpublished || data.leaving) drop(data.unpublished || data.leaving);
      };
      publisherPc = newPc();
      localStream.getTracks().forEach(function (t) { publisherPc.addTrack(t, localStream); });
      return publisherPc.createOffer()
        .then(function (offer) { return publisherPc.setLocalDescription(offer); })
        .then(function () { return gathered(publisherPc); })
        .then(function () {
          return send(handle, {
            request: "joinandconfigure", room: cfg.room, pin: cfg.pin, ptype: "publisher",
            id: cfg.id, display: cfg.display, audio: true, video: true,
          }, { type: "offer", sdp: publisherPc.localDescription.sdp });
        })
        .then(function (ev) { return publisherPc.setRemoteDescription(ev.jsep); })
        .then(function () { if (level > 0) applyLevel(level, "reconnect"); });
    });
  }

  function subscribe(pub) {
    if (subscribers[pub.id] || pub.id === cfg.id) return;
    subscribers[pub.id] = { pending: true };
    post("/" + session, { janus: "attach", plugin: "janus.plugin.videoroom" }).then(function (a) {
      var handle = a.data.id, pc = newPc();
      subscribers[pub.id] = { pc: pc, handle: handle };
      var fig = document.createElement("figure");
      fig.id = "feed-" + pub.id;
      var video = document.createElement("video");
      video.autoplay = true; video.playsInline = true;
      var cap = document.createElement("figcaption");
      cap.textContent = pub.display || "";
      fig.appendChild(video); fig.appendChild(cap); remotes.appendChild(fig);
      var stream = new MediaStream();
      video.srcObject = stream;
      pc.addEventListener("track", function (e) { stream.addTrack(e.track); });
      return send(handle, { request: "join", ptype: "subscriber", room: cfg.room, pin: cfg.pin, streams: [{ feed: pub.id }] })
        .then(function (ev) { return pc.setRemoteDescription(ev.jsep); })
        .then(function () { return pc.createAnswer(); })
        .then(function (answer) { return pc.setLocalDescription(answer); })
        .then(function () { return gathered(pc); })
        .then(function () {
          return send(handle, { request: "start", room: cfg.room }, { type: "answer", sdp: pc.localDescription.sdp });
        });
    }).catch(function () { delete subscribers[pub.id]; });
  }

  function drop(id) {
    var s = subscribers[id];
    if (s && s.pc) s.pc.close();
    delete subscribers[id];
    var fig = document.getElementById("feed-" + id);
    if (fig) fig.remove();
  }

  function teardown() {
    Object.keys(subscribers).forEach(drop);
    if (publisherPc) publisherPc.close();
    publisherPc = null; publisherHandle = null;
    var old = session;
    session = null;
    handlers = {}; waiters = {};
    if (old !== null) fetch(base + "/" + old, { method: "POST", body: JSON.stringify({ janus: "destroy", transaction: tx() }) }).catch(function () {});
  }

  function reconnect() {
    if (closed) return;
    teardown();
    attempts += 1;
    status(gettext("连接中断，正在重连…"));
    if (attempts > 1) {
      errorEl.textContent = gettext("视频服务器暂时无法连接，正在自动重试；服务器上已录制的部分不会丢失。");
      errorEl.hidden = false;
    }
    setTimeout(connect, Math.min(1000 * attempts, 5000));
  }

  function connect() {
    post("", { janus: "create" }).then(function (a) {
      session = a.data.id;
      poll();
      return publish();
    }).then(function () {
      attempts = 0;
      errorEl.hidden = true;
      window.receptionConnectedAt = window.receptionConnectedAt || Date.now();
      status(gettext("已连接 · 录像中"));
    }).catch(function (e) {
      if (attempts > 20) { fail(interpolate(gettext("无法连接视频服务器：%(reason)s"), { reason: e.message }, true)); return; }
      reconnect();
    });
  }

  // --- the picture on a weak link: 480p, 360p, 240p ------------------------------------------------
  var LEVELS = [
    { label: "480p", scale: 1, bitrate: 512000 },
    { label: "360p", scale: 4 / 3, bitrate: 256000 },
    { label: "240p", scale: 2, bitrate: 128000 },
  ];
  var level = 0, bad = 0, good = 0;
  var resolutionEl = document.getElementById("resolution");
  window.receptionConfigures = [];

  function videoSender() {
    if (!publisherPc) return null;
    return publisherPc.getSenders().filter(function (s) { return s.track && s.track.kind === "video"; })[0] || null;
  }

  function showLevel(note) {
    resolutionEl.textContent = note
      ? interpolate(gettext("画质 %(level)s（%(note)s）"), { level: LEVELS[level].label, note: note }, true)
      : interpolate(gettext("画质 %(level)s"), { level: LEVELS[level].label }, true);
    resolutionEl.dataset.level = LEVELS[level].label;
  }

  // Send the lower (or higher) resolution and cap: on the sender (the encoder scales the picture
  // down, no renegotiation), and in the room (Janus's REMB cap for this publisher).
  function applyLevel(n, why) {
    var L = LEVELS[n], sender = videoSender();
    var steps = [];
    if (sender) {
      var params = sender.getParameters();
      if (params.encodings && params.encodings.length) {
        params.encodings[0].scaleResolutionDownBy = L.scale;
        params.encodings[0].maxBitrate = L.bitrate;
        steps.push(sender.setParameters(params).catch(function () {}));
      }
    }
    if (publisherHandle !== null) {
      var body = { request: "configure", bitrate: L.bitrate };
      steps.push(send(publisherHandle, body).then(function (ev) {
        var data = ev.plugindata && ev.plugindata.data;
        window.receptionConfigures.push({ bitrate: L.bitrate, level: L.label, why: why, answer: data && data.configured });
      }).catch(function () {}));
    }
    return Promise.all(steps);
  }

  // One sample of the link (from getStats, or given by a test): step down after two bad samples in a
  // row, back up after ten good ones. The encoder says "bandwidth" whenever its bitrate holds it back,
  // and so it does under our own cap (the level's maxBitrate and the room's, which Janus passes on as
  // the estimate): that is the link's fault only when the estimate (`available`, the candidate pair's
  // availableOutgoingBitrate) is below the cap. Without that, a call stepped down stayed down for good.
  function adapt(sample) {
    var ourCap = sample.available && sample.available >= LEVELS[level].bitrate * 0.9;
    var squeezed = sample.limited === "bandwidth" && !ourCap;
    var weak = sample.loss > 0.05 || sample.rtt > 0.8 || squeezed;
    var fine = sample.loss < 0.01 && sample.rtt < 0.3 && !squeezed;
    bad = weak ? bad + 1 : 0;
    good = fine ? good + 1 : 0;
    if (bad >= 2 && level < LEVELS.length - 1) {
      level += 1; bad = 0;
      showLevel(gettext("网络较差，已降低画质以保持通话"));
      return applyLevel(level, "weak");
    }
    if (good >= 10 && level > 0) {
      level -= 1; good = 0;
      showLevel(gettext("网络好转，已提高画质"));
      return applyLevel(level, "recovered");
    }
    return Promise.resolve();
  }
  window.receptionAdapt = adapt;

  // For tests: what this page sends (the sender's camera and encoding, the negotiated offer).
  window.receptionSending = function () {
    var sender = videoSender();
    if (!sender) return Promise.resolve(null);
    var enc = (sender.getParameters().encodings || [{}])[0];
    return publisherPc.getStats().then(function (stats) {
      var height = 0, frames = 0, limited = "", available = 0;
      stats.forEach(function (s) {
        if (s.type === "outbound-rtp" && s.kind === "video") {
          height = s.frameHeight || 0; frames = s.framesEncoded || 0; limited = s.qualityLimitationReason || "";
        }
        if (s.type === "candidate-pair" && s.nominated && s.availableOutgoingBitrate) available = s.availableOutgoingBitrate;
      });
      return {
        device: sender.track.getSettings().deviceId, track: sender.track.id, scale: enc.scaleResolutionDownBy || 1,
        maxBitrate: enc.maxBitrate || 0, frameHeight: height, framesEncoded: frames, limited: limited, available: available,
        sdp: publisherPc.localDescription.sdp, level: LEVELS[level].label,
      };
    });
  };

  function quality() {
    if (!publisherPc) return;
    publisherPc.getStats().then(function (stats) {
      var rtt = null, lost = 0, fraction = 0, limited = "none", available = 0;
      stats.forEach(function (s) {
        if (s.type === "candidate-pair" && s.nominated && s.availableOutgoingBitrate) available = s.availableOutgoingBitrate;
        if (s.type === "remote-inbound-rtp") {
          lost += s.packetsLost || 0;
          if (s.roundTripTime) rtt = s.roundTripTime;
          if (s.kind === "video" && s.fractionLost !== undefined) fraction = s.fractionLost;
        }
        if (s.type === "outbound-rtp" && s.kind === "video" && s.qualityLimitationReason) limited = s.qualityLimitationReason;
      });
      var q = document.getElementById("quality");
      var word = rtt === null ? "" : (fraction > 0.05 || rtt > 0.8 ? gettext("网络差") : (fraction > 0.01 || rtt > 0.3 ? gettext("网络一般") : gettext("网络良好")));
      var figures = { quality: word, ms: Math.round((rtt || 0) * 1000), lost: lost };
      q.textContent = rtt === null ? "" : lost
        ? interpolate(gettext("%(quality)s · 延迟 %(ms)s 毫秒，丢包 %(lost)s"), figures, true)
        : interpolate(gettext("%(quality)s · 延迟 %(ms)s 毫秒"), figures, true);
      if (rtt !== null) adapt({ loss: fraction, rtt: rtt, limited: limited, available: available });
    });
  }

  // --- switching cameras (front / back on a phone) ------------------------------------------------
  var cameras = [], switchBtn = document.getElementById("switch-camera"), facing = "user";
  window.receptionCameraSwitches = 0;
  function listCameras() {
    if (!navigator.mediaDevices.enumerateDevices) return Promise.resolve();
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      cameras = devices.filter(function (d) { return d.kind === "videoinput"; });
      switchBtn.hidden = cameras.length < 2;
    });
  }
  function switchCamera() {
    var old = localStream && localStream.getVideoTracks()[0];
    if (!old) return Promise.resolve();
    var current = old.getSettings().deviceId, video = { width: { ideal: 640 }, height: { ideal: 480 } };
    if (cameras.length > 1) {
      var i = cameras.map(function (c) { return c.deviceId; }).indexOf(current);
      video.deviceId = { exact: cameras[(i + 1) % cameras.length].deviceId };
    } else {
      facing = facing === "user" ? "environment" : "user";
      video.facingMode = facing;
    }
    var enabled = old.enabled;
    // Open the other camera first (the sender keeps a live track throughout); a phone that opens
    // only one camera at a time refuses that, then the current one is closed first and it is tried again.
    return navigator.mediaDevices.getUserMedia({ video: video })
      .catch(function () { old.stop(); return navigator.mediaDevices.getUserMedia({ video: video }); })
      .then(function (stream) {
        var track = stream.getVideoTracks()[0];
        track.enabled = enabled;
        var sender = videoSender();
        return (sender ? sender.replaceTrack(track) : Promise.resolve()).then(function () {
          old.stop();
          localStream.removeTrack(old);
          localStream.addTrack(track);
          document.getElementById("local").srcObject = localStream;
          window.receptionCameraSwitches += 1;
          var label = track.getSettings().facingMode === "environment" ? gettext("后置摄像头") : (track.label || gettext("摄像头"));
          switchBtn.title = interpolate(gettext("当前：%(camera)s"), { camera: label }, true);
        });
      })
      .catch(function () {
        errorEl.textContent = gettext("无法切换摄像头，请检查摄像头是否被其他程序占用");
        errorEl.hidden = false;
      });
  }
  window.receptionSwitchCamera = switchCamera;
  switchBtn.addEventListener("click", function () { switchCamera(); });

  // For tests and the quality line: frames received from each other participant.
  window.receptionFrames = function () {
    var ids = Object.keys(subscribers).filter(function (id) { return subscribers[id].pc; });
    return Promise.all(ids.map(function (id) {
      return subscribers[id].pc.getStats().then(function (stats) {
        var frames = 0;
        stats.forEach(function (s) { if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded || 0; });
        return frames;
      });
    }));
  };

  document.getElementById("mute").addEventListener("click", function (e) {
    var t = localStream && localStream.getAudioTracks()[0];
    if (!t) return;
    t.enabled = !t.enabled;
    e.target.textContent = t.enabled ? gettext("静音") : gettext("取消静音");
  });
  document.getElementById("camera").addEventListener("click", function (e) {
    var t = localStream && localStream.getVideoTracks()[0];
    if (!t) return;
    t.enabled = !t.enabled;
    e.target.textContent = t.enabled ? gettext("关闭摄像头") : gettext("打开摄像头");
  });
  window.addEventListener("pagehide", function () { closed = true; teardown(); });

  // The chat: the same join token opens the session's WebSocket; every message is kept with it.
  var chatLog = document.getElementById("chat-log"), chat = null;
  function chatLine(text, cls) {
    var li = document.createElement("li");
    li.textContent = text;
    if (cls) li.className = cls;
    chatLog.appendChild(li);
    chatLog.scrollTop = chatLog.scrollHeight;
  }
  function openChat() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    chat = new WebSocket(scheme + location.host + root.dataset.chat + "?token=" + encodeURIComponent(root.dataset.token));
    chat.addEventListener("message", function (e) {
      var m = JSON.parse(e.data);
      if (m.error) chatLine(m.error, "error");
      else chatLine(m.at + " " + m.from + "：" + m.text);
    });
  }
  document.getElementById("chat-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var input = document.getElementById("chat-text");
    if (chat && chat.readyState === 1 && input.value.trim()) {
      chat.send(JSON.stringify({ text: input.value }));
      input.value = "";
    }
  });
  openChat();

  // --- the waiting room (petitioner) and the office's view of it ----------------------------------
  var waitingEl = document.getElementById("waiting");
  function askToJoin(token) {
    var body = new URLSearchParams({ token: token });
    return fetch(root.dataset.join, { method: "POST", body: body, headers: { "X-CSRFToken": root.dataset.csrf } })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, j: j }; }); })
      .then(function (a) {
        if (a.status === 202) {
          status(gettext("等候室"));
          waitingEl.textContent = a.j.message;
          waitingEl.hidden = false;
          return new Promise(function (resolve) { setTimeout(resolve, 2000); }).then(function () { return askToJoin(a.j.token); });
        }
        if (a.status !== 200) {
          waitingEl.hidden = true;
          throw new Error(a.j.error);
        }
        waitingEl.hidden = true;
        return a.j;
      });
  }

  var lobbyEl = document.getElementById("lobby");
  function renderLobby(j) {
    var text = document.getElementById("lobby-text");
    var admit = document.getElementById("lobby-admit"), refuse = document.getElementById("lobby-refuse");
    lobbyEl.dataset.admission = j.admission;
    if (j.admission === "waiting") {
      text.textContent = interpolate(
        gettext("信访人 %(name)s（身份证 %(id_number)s，%(where)s）自 %(since)s 起在等候室等候。请核对身份（可先用文字交流请其说明）后准入。"), j, true);
    } else if (j.admission === "admitted") {
      text.textContent = interpolate(gettext("信访人 %(name)s 已准入。"), j, true);
    } else if (j.admission === "refused") {
      text.textContent = interpolate(gettext("已拒绝信访人 %(name)s 进入；如有误，可再准入。"), j, true);
    } else {
      text.textContent = gettext("信访人尚未进入等候室。");
    }
    admit.hidden = !(j.admission === "waiting" || j.admission === "refused");
    refuse.hidden = j.admission !== "waiting";
    if (j.error) { errorEl.textContent = j.error; errorEl.hidden = false; }
  }
  function lobby(decision) {
    var init = { headers: { "X-CSRFToken": root.dataset.csrf } };
    if (decision) { init.method = "POST"; init.body = new URLSearchParams({ decision: decision }); }
    return fetch(root.dataset.lobby, init).then(function (r) { return r.json(); }).then(renderLobby).catch(function () {});
  }
  if (lobbyEl && root.dataset.lobby) {
    lobbyEl.hidden = false;
    document.getElementById("lobby-admit").addEventListener("click", function () { lobby("admit"); });
    document.getElementById("lobby-refuse").addEventListener("click", function () { lobby("refuse"); });
    lobby();
    setInterval(function () { if (!closed) lobby(); }, 2000);
  }

  // --- documents from the petitioner's own device ---------------------------------------------------
  var uploadForm = document.getElementById("upload-form");
  if (uploadForm) {
    uploadForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var out = document.getElementById("upload-result"), input = document.getElementById("upload-file");
      if (!input.files.length) { out.textContent = gettext("请选择要上传的材料"); return; }
      var data = new FormData();
      data.append("document", input.files[0]);
      out.textContent = gettext("正在上传…");
      // the token goes in a header: the server checks it before it reads the file
      fetch(root.dataset.upload, {
        method: "POST", body: data, headers: { "X-CSRFToken": root.dataset.csrf, "X-Upload-Token": uploadToken || "" }
      })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (a) {
          out.textContent = a.ok ? interpolate(gettext("已提交：%(stored)s，已记入本次接访材料"), a.j, true) : a.j.error;
          out.className = a.ok ? "notice" : "errors";
          if (a.ok) input.value = "";
        })
        .catch(function () { out.textContent = gettext("上传失败，请检查网络后重试"); out.className = "errors"; });
    });
  }

  navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } })
    .then(function (stream) {
      localStream = stream;
      document.getElementById("local").srcObject = stream;
      listCameras();
      showLevel("");
      return askToJoin(root.dataset.token);
    })
    .then(function (j) {
      cfg = j; base = j.janus.replace(/\/$/, "");
      uploadToken = j.upload_token || null;
      if (uploadForm && uploadToken) uploadForm.hidden = false;
      connect();
      setInterval(quality, 3000);
    })
    .catch(function (e) { fail(e.message || gettext("无法进入视频接访")); });
})();
