// A widget's user and an operator's panel on ReplyX's dialog WebSocket,
// with the ws package, as the ReplyX document's JavaScript example talks:
// a page of another origin is refused; the user writes, the bot answers
// and hands the dialog off (queue position), the operator types, takes it
// (manager) and writes; both answer __ping__, a silent client is cut off;
// a reconnect with since_seq gets what it missed; one connection goes
// over the message limit. Prints everything each connection got as JSON.
// Run by server/replyx's TestWebSocketNodeClient with PARLEY_URL, JWT,
// SITE_TOKEN, ORIGIN, OTHER_ORIGIN, DIALOG_UUID, DIALOG_NUMBER and LIMIT.
import WebSocket from "ws";

const env = process.env;
const wsBase = env.PARLEY_URL.replace(/^http/, "ws");
const widgetPath = `/ws/dialogs/${env.DIALOG_UUID}?token=${encodeURIComponent(env.SITE_TOKEN)}`;
const panelPath = `/ws/dialogs/${env.DIALOG_NUMBER}?token=${env.JWT}`;

// connect opens a client that keeps every event and answers each
// __ping__ with __pong__, unless it is silent.
function connect(path, { origin, silent = false } = {}) {
  const ws = new WebSocket(wsBase + path, origin ? { origin } : {});
  const c = { ws, events: [], pings: 0, closed: null };
  ws.on("message", (data) => {
    const text = data.toString();
    if (text === "__ping__") {
      c.pings++;
      if (!silent) ws.send("__pong__");
      return;
    }
    c.events.push(JSON.parse(text));
  });
  ws.on("close", (code, reason) => { c.closed = { code, reason: reason.toString() }; });
  c.opened = new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  c.send = (msg) => ws.send(JSON.stringify(msg));
  return c;
}

// refusal is how the server answers a handshake it refuses.
function refusal(path, origin) {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsBase + path, { origin });
    ws.on("unexpected-response", (_req, res) => {
      const { socket } = res; // ws leaves the refused request to us: close its connection
      let body = "";
      res.on("data", (d) => { body += d; });
      res.on("end", () => {
        socket.destroy();
        resolve({ status: res.statusCode, body: JSON.parse(body) });
      });
    });
    ws.on("open", () => { ws.close(); resolve({ status: 101 }); });
    ws.on("error", () => {});
  });
}

// waitFor waits until cond() holds, failing after 15 s with what.
async function waitFor(cond, what) {
  const deadline = Date.now() + 15000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const has = (c, pred) => c.events.some(pred);
const message = (sender, text) => (e) => e.type === "new_message" && e.message.sender === sender && e.message.text === text;
const out = {};

out.refused = await refusal(widgetPath, env.OTHER_ORIGIN);

const widget = connect(widgetPath, { origin: env.ORIGIN });
const panel = connect(panelPath);
await Promise.all([widget.opened, panel.opened]);

widget.send({ type: "send_message", text: "A-42" });
const requested = (e) => e.type === "handoff_requested";
await waitFor(() => has(panel, requested) && has(widget, requested), "handoff_requested");

panel.send({ type: "typing", operator_name: "Анна" });
await waitFor(() => has(widget, (e) => e.type === "operator_typing"), "operator_typing at the widget");

const take = await fetch(`${env.PARLEY_URL}/api/dialogs/${env.DIALOG_NUMBER}/handoff/take`, {
  method: "POST",
  headers: { Authorization: `Bearer ${env.JWT}`, "Content-Type": "application/json" },
  body: JSON.stringify({ operator_name: "Анна", operator_id: 5 }),
});
if (take.status !== 200) throw new Error(`take: ${take.status} ${await take.text()}`);
const started = (e) => e.type === "handoff_started";
await waitFor(() => has(panel, started) && has(widget, started), "handoff_started");

panel.send({ type: "send_message", text: "Здравствуйте, это Анна.", operator_name: "Анна" });
await waitFor(() => has(widget, message("operator", "Здравствуйте, это Анна.")), "the operator's message at the widget");
widget.send({ type: "send_message", text: "Спасибо" });
await waitFor(() => has(panel, message("user", "Спасибо")), "the user's message at the panel");

// Heartbeat: both answer, so both stay; a silent one is cut off.
const silent = connect(panelPath, { silent: true });
await silent.opened;
await waitFor(() => widget.pings >= 2 && panel.pings >= 2, "two __ping__ each");
await waitFor(() => silent.closed !== null, "the silent client to be cut off");
out.silent = { closed: silent.closed, pings: silent.pings };
out.stillOpen = widget.closed === null && panel.closed === null;

// Resume: a panel that had everything up to handoff_requested.
out.resumedFrom = panel.events.find(requested).seq;
const missed = panel.events.filter((e) => e.seq > out.resumedFrom).length;
const resumed = connect(`${panelPath}&since_seq=${out.resumedFrom}`);
await resumed.opened;
await waitFor(() => resumed.events.length >= missed, `the ${missed} missed events`);
await new Promise((r) => setTimeout(r, 300)); // and nothing more
out.resumed = resumed.events;

// The per-connection limit: one message more than it allows.
const limited = connect(panelPath);
await limited.opened;
const limit = Number(env.LIMIT);
for (let i = 1; i <= limit + 1; i++) limited.send({ type: "send_message", text: `limit ${i}` });
await waitFor(() => has(limited, (e) => e.type === "error") && has(limited, message("operator", `limit ${limit}`)),
  "the refusal and the messages within the limit");
await waitFor(() => [widget, panel, resumed].every((c) => has(c, message("operator", `limit ${limit}`))), "the last message everywhere");
out.limited = limited.events;

out.widget = widget.events;
out.panel = panel.events;
for (const c of [widget, panel, resumed, limited]) c.ws.close();
console.log(JSON.stringify(out));
