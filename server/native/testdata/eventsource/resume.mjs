// Follows GET /v1/events with the eventsource package, as a browser's
// EventSource does, through a dropped connection: the first one ends after
// two events (the script cuts it), while the user writes on; the package
// reconnects by itself with Last-Event-ID. Prints what it got as JSON:
// {"received": [{"id", "type"}], "lastEventIds": [the header of each connect]}.
// Run by server/native's TestEventSourceResumes with PARLEY_URL,
// PARLEY_AUTH (an Authorization header) and DIALOG (a dialog waiting for an
// answer).
import { EventSource } from "eventsource";

const { PARLEY_URL: base, PARLEY_AUTH: auth, DIALOG: dialog } = process.env;
const types = ["dialog.created", "dialog.updated", "message.created", "dialog.pending", "handoff.requested",
  "handoff.started", "handoff.released", "dialog.completed", "note.created", "typing", "log.trimmed"];

const lastEventIds = [];
const fetchCut = async (url, init) => {
  lastEventIds.push(init.headers["Last-Event-ID"] ?? "");
  const res = await fetch(url, { ...init, headers: { ...init.headers, Authorization: auth } });
  if (lastEventIds.length > 1) return res;
  // The first connection ends after two events, as a dropped one does.
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let seen = 0;
  const body = new ReadableStream({
    async pull(controller) {
      if (seen >= 2) {
        await reader.cancel();
        controller.close();
        return;
      }
      const { value, done } = await reader.read();
      if (done) return controller.close();
      seen += (decoder.decode(value, { stream: true }).match(/\n\n/g) || []).length;
      controller.enqueue(value);
    },
  });
  return new Response(body, { status: res.status, headers: res.headers });
};

const say = (text) => fetch(`${base}/v1/dialogs/${dialog}/messages`, {
  method: "POST", headers: { Authorization: auth, "Content-Type": "application/json" }, body: JSON.stringify({ text }),
});

const received = [];
const es = new EventSource(`${base}/v1/events`, { fetch: fetchCut });
let wroteOn = false;
let last = Date.now();
for (const type of types) {
  es.addEventListener(type, (ev) => {
    received.push({ id: ev.lastEventId, type });
    last = Date.now();
    if (received.length === 2 && !wroteOn) {
      wroteOn = true;
      say("hello?"); // while the first connection drops
    }
  });
}
es.addEventListener("open", () => {
  if (lastEventIds.length === 1) say("A-17");
});

const deadline = Date.now() + 20000;
while (Date.now() < deadline && !(lastEventIds.length > 1 && received.length > 2 && Date.now() - last > 1500)) {
  await new Promise((r) => setTimeout(r, 100));
}
es.close();
console.log(JSON.stringify({ received, lastEventIds }));
