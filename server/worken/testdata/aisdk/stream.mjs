// Sends a user message to a Worken thread as the AI SDK's useChat does
// (DefaultChatTransport), reads the answer with readUIMessageStream, and
// prints the last UI message as JSON.
import { DefaultChatTransport, readUIMessageStream } from 'ai';

const { PARLEY_URL, PARLEY_AUTH, CHAT, THREAD } = process.env;
const transport = new DefaultChatTransport({
  api: `${PARLEY_URL}/chats/${CHAT}/threads/${THREAD}/stream`,
  headers: { Authorization: PARLEY_AUTH },
});
const stream = await transport.sendMessages({
  trigger: 'submit-message',
  chatId: THREAD,
  messageId: undefined,
  messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'hi' }] }],
  abortSignal: undefined,
});
let last;
for await (const message of readUIMessageStream({
  stream,
  onError: (e) => { throw e; },
})) {
  last = message;
}
if (!last) throw new Error('the stream held no message');
process.stdout.write(JSON.stringify(last));
