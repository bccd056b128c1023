// Listens to GET /threads/events with the eventsource package (the
// EventSource a browser has), as Worken's document shows: onmessage, the
// key in a header. Once connected it starts a thread through the stream
// route, then prints the first three events it heard, with their ids.
import { EventSource } from 'eventsource';

const { PARLEY_URL, PARLEY_AUTH, CHAT } = process.env;
const es = new EventSource(`${PARLEY_URL}/threads/events`, {
  fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, Authorization: PARLEY_AUTH } }),
});
const got = [];
const timer = setTimeout(() => { console.error('timed out with', JSON.stringify(got)); process.exit(1); }, 20000);
es.onerror = (e) => { console.error('eventsource error', e.message ?? e); };
es.onopen = async () => {
  const r = await fetch(`${PARLEY_URL}/chats/${CHAT}/threads/es-thread/stream`, {
    method: 'POST',
    headers: { Authorization: PARLEY_AUTH, 'Content-Type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
  });
  await r.text();
};
es.onmessage = (event) => {
  got.push({ id: event.lastEventId, data: JSON.parse(event.data) });
  if (got.length === 3) {
    clearTimeout(timer);
    es.close();
    process.stdout.write(JSON.stringify(got));
  }
};
