// Parley's chat widget. Put it on a page with
//   <script src="https://HOST/widget.js" data-bot="support" data-site-token="st_..." async></script>
// It draws a launcher and a chat panel inside a shadow root (the page's CSS
// does not reach it, nor its CSS the page), starts a dialog with the bot of
// the site token on first open, and keeps the dialog's visitor token in
// localStorage so a reload or a later visit continues the same dialog.
// The paperclip sends a file; files in the dialog are links (images shown).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(script.src).origin;
  var siteToken = script.getAttribute("data-site-token") || "";
  var title = script.getAttribute("data-title") || "Chat";
  var storeKey = "parley-widget:" + siteToken;

  var host = document.createElement("div");
  host.setAttribute("data-parley-widget", "");
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" +
    ":host{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;font:14px/1.4 system-ui,sans-serif;color:#1f2328}" +
    "button{font:inherit;cursor:pointer}" +
    ".launch{width:56px;height:56px;border-radius:50%;border:0;background:#2f6feb;color:#fff;display:flex;align-items:center;justify-content:center;box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
    ".panel{display:none;flex-direction:column;width:340px;height:460px;background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);overflow:hidden;margin-bottom:12px}" +
    ".open .panel{display:flex}" +
    ".head{background:#2f6feb;color:#fff;padding:12px 14px;font-weight:600;display:flex;justify-content:space-between}" +
    ".head button{background:none;border:0;color:#fff;font-size:18px}" +
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f6f8fa}" +
    ".msg{max-width:80%;padding:8px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}" +
    ".user{align-self:flex-end;background:#2f6feb;color:#fff}" +
    ".bot{align-self:flex-start;background:#fff;border:1px solid #d0d7de}" +
    ".who{font-size:11px;color:#57606a;margin-bottom:2px}" +
    ".buttons{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start}" +
    ".buttons button{border:1px solid #2f6feb;color:#2f6feb;background:#fff;border-radius:14px;padding:4px 10px}" +
    ".error{color:#cf222e;font-size:12px;padding:0 12px}" +
    "form{display:flex;border-top:1px solid #d0d7de}" +
    "input{flex:1;border:0;padding:12px;font:inherit;outline:none}" +
    "form button{border:0;background:none;color:#2f6feb;padding:0 14px;font-weight:600}" +
    "form .clip{padding:0 0 0 12px;display:flex;align-items:center}" +
    ".msg a{color:inherit;display:block}" +
    ".msg img{display:block;max-width:100%;max-height:160px;border-radius:6px;margin-bottom:4px}" +
    "</style>" +
    '<div class="panel" part="panel"><div class="head"><span class="title"></span><button class="close" aria-label="Close">×</button></div>' +
    '<div class="log" aria-live="polite"></div><div class="error"></div>' +
    '<form><button type="button" class="clip" aria-label="Send a file"><svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7"/></svg></button>' +
    '<input name="text" autocomplete="off" placeholder="Write a message…" aria-label="Message"><input type="file" hidden><button type="submit">Send</button></form></div>' +
    '<button class="launch" aria-label="Open the chat"><svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg></button>';
  var wrap = document.createElement("div");
  while (root.childNodes.length > 1) wrap.appendChild(root.childNodes[1]);
  root.appendChild(wrap);
  var log = root.querySelector(".log");
  var errorBox = root.querySelector(".error");
  var form = root.querySelector("form");
  var input = root.querySelector("input[name=text]");
  var picker = root.querySelector("input[type=file]");
  root.querySelector(".title").textContent = title;

  var saved = null;
  try { saved = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { saved = null; }
  var busy = false;

  function call(method, path, body, headers) {
    var h = body instanceof FormData ? {} : { "Content-Type": "application/json" };
    for (var k in headers) h[k] = headers[k];
    if (body && !(body instanceof FormData)) body = JSON.stringify(body);
    return fetch(base + path, { method: method, headers: h, body: body || undefined }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error((data && data.error && data.error.message) || "The chat is not available (" + r.status + ").");
        return data;
      });
    });
  }

  var shown = {}; // message ids on screen: the stream repeats what answers already showed
  var live = null; // the bubble of a reply being written (text-delta)
  var typingBox = null;

  function show(messages) {
    var last = root.querySelector(".buttons");
    if (last) last.remove();
    if (live) { live.remove(); live = null; }
    messages = messages.filter(function (m) {
      if (!m.id) return true;
      if (shown[m.id]) return false;
      shown[m.id] = true;
      return true;
    });
    messages.forEach(function (m) { log.appendChild(bubble(m)); });
    var tail = messages[messages.length - 1];
    if (tail && tail.role !== "user" && tail.buttons && tail.buttons.length) {
      var row = document.createElement("div");
      row.className = "buttons";
      tail.buttons.forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b;
        btn.onclick = function () { send(b); };
        row.appendChild(btn);
      });
      log.appendChild(row);
    }
    log.scrollTop = log.scrollHeight;
  }

  function bubble(m) {
    var el = document.createElement("div");
    el.className = "msg " + (m.role === "user" ? "user" : "bot");
    if (m.operator) {
      var who = document.createElement("div");
      who.className = "who";
      who.textContent = m.operator;
      el.appendChild(who);
    }
    if (m.text) el.appendChild(document.createTextNode(m.text));
    (m.files || []).forEach(function (f) {
      var a = document.createElement("a");
      a.href = f.url;
      a.target = "_blank";
      a.rel = "noopener";
      if (/^image\//.test(f.mime_type)) {
        var img = document.createElement("img");
        img.src = f.url;
        img.alt = "";
        a.appendChild(img);
      }
      a.appendChild(document.createTextNode(f.name));
      el.appendChild(a);
    });
    return el;
  }

  function fail(err) { errorBox.textContent = err.message; }

  function typing(name) {
    if (!typingBox) {
      typingBox = document.createElement("div");
      typingBox.className = "who";
    }
    typingBox.textContent = name + " is typing…";
    log.appendChild(typingBox);
    log.scrollTop = log.scrollHeight;
    clearTimeout(typingBox.timer);
    typingBox.timer = setTimeout(function () { typingBox.remove(); }, 4000);
  }

  // listen follows the dialog: operators' messages, what timers make the
  // bot say, replies as they are written, typing. EventSource reconnects
  // by itself and sends Last-Event-ID, so no message is lost.
  function listen() {
    var es = new EventSource(base + "/widget/v1/dialogs/" + saved.id + "/events?visitor_token=" + encodeURIComponent(saved.token));
    es.addEventListener("message.created", function (e) {
      var m = JSON.parse(e.data).message;
      if (m.role === "user") { shown[m.id] = true; return; }
      if (typingBox) typingBox.remove();
      show([m]);
    });
    es.addEventListener("text-delta", function (e) {
      var d = JSON.parse(e.data);
      if (!live) {
        live = document.createElement("div");
        live.className = "msg bot";
        log.appendChild(live);
      }
      live.textContent = (d.attempt && live.attempt !== d.attempt ? "" : live.textContent) + d.delta;
      live.attempt = d.attempt;
      log.scrollTop = log.scrollHeight;
    });
    es.addEventListener("typing", function (e) { typing(JSON.parse(e.data).operator || "Someone"); });
  }

  function start() {
    if (saved) {
      return call("GET", "/widget/v1/dialogs/" + saved.id + "/messages", null, { "X-Visitor-Token": saved.token })
        .then(function (d) { show(d.messages); })
        .catch(function () { saved = null; localStorage.removeItem(storeKey); return start(); });
    }
    return call("POST", "/widget/v1/dialogs", {}, { "X-Site-Token": siteToken }).then(function (d) {
      saved = { id: d.id, token: d.visitor_token };
      localStorage.setItem(storeKey, JSON.stringify(saved));
      show(accepts(d).messages);
    });
  }

  // accepts points the file picker at what the question waits for (a
  // file question's types; anything otherwise: the server decides).
  function accepts(d) {
    picker.accept = ((d && d.waiting && d.waiting.accept) || []).join(",");
    return d;
  }

  function send(text) {
    if (busy || !saved || !text.trim()) return;
    busy = true;
    errorBox.textContent = "";
    show([{ role: "user", text: text }]);
    var id = "w-" + Date.now() + "-" + Math.random().toString(36).slice(2);
    call("POST", "/widget/v1/dialogs/" + saved.id + "/messages", { text: text, client_message_id: id }, { "X-Visitor-Token": saved.token })
      .then(function (d) { show(accepts(d).messages); }, fail)
      .then(function () { busy = false; });
  }

  // upload sends a file; it shows at once from the disk, then from the
  // server, or goes with the server's reason when refused.
  function upload(file) {
    if (busy || !saved) return;
    busy = true;
    errorBox.textContent = "";
    var local = URL.createObjectURL(file);
    var el = bubble({ role: "user", files: [{ name: file.name, mime_type: file.type, url: local }] });
    log.appendChild(el);
    log.scrollTop = log.scrollHeight;
    var data = new FormData();
    data.append("file", file);
    call("POST", "/widget/v1/dialogs/" + saved.id + "/files", data, { "X-Visitor-Token": saved.token })
      .then(function (d) { el.replaceWith(bubble({ role: "user", files: [d.file] })); show(accepts(d).messages); }, function (err) {
        el.remove();
        // A server refusing a large file may close the connection before the browser reads why.
        fail(err instanceof TypeError ? new Error("The file could not be sent; a smaller one may be.") : err);
      })
      .then(function () { busy = false; URL.revokeObjectURL(local); });
  }

  var started = null;
  root.querySelector(".launch").onclick = function () {
    wrap.classList.toggle("open");
    if (!started) started = start().then(listen).catch(fail);
    input.focus();
  };
  root.querySelector(".close").onclick = function () { wrap.classList.remove("open"); };
  root.querySelector(".clip").onclick = function () { picker.click(); };
  picker.onchange = function () {
    if (picker.files[0]) upload(picker.files[0]);
    picker.value = "";
  };
  form.onsubmit = function (e) {
    e.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
  };
  document.body.appendChild(host);
})();
