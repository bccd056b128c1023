// Drives Parley's Worken vector store API with the official openai SDK:
// upload, list and delete files, create a store, add files, wait for
// indexing, list, retrieve, rename, delete, and the errors the SDK turns
// into its error classes.
//
//   PARLEY_URL=http://127.0.0.1:8080 PARLEY_API_KEY=sk-... node vector_stores.mjs
//
// Exits non-zero on the first failed check. Needs Node 18 or newer.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import OpenAI, { toFile } from 'openai';

// Node 18 (Debian's) has File only in node:buffer; the SDK's uploads need it global.
globalThis.File ??= (await import('node:buffer')).File;

const baseURL = process.env.PARLEY_URL;
const apiKey = process.env.PARLEY_API_KEY;
if (!baseURL || !apiKey) {
  console.error('Set PARLEY_URL and PARLEY_API_KEY.');
  process.exit(2);
}
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 20_000 });
const run = Date.now().toString(36);

async function step(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (err) {
    console.error(`not ok - ${name}`);
    console.error(err);
    process.exit(1);
  }
}

// rejects checks that promise fails with the SDK error class and status.
async function rejects(promise, ErrorClass, status, says) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof ErrorClass, `got ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.status, status);
    assert.match(err.message, says);
    assert.equal(typeof err.code, 'string');
    return true;
  });
}

function isRFC3339(s) {
  return typeof s === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s) && !isNaN(Date.parse(s));
}

// waitIndexed polls a store's file until indexing is over.
async function waitIndexed(storeID, fileID) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const f = await client.vectorStores.files.retrieve(fileID, { vector_store_id: storeID });
    if (f.status !== 'pending') return f;
    assert.ok(Date.now() < deadline, `file ${fileID} still pending after 30s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-openai-'));
const policy = path.join(tmp, 'refunds.md');
const policyText = '# Refunds\n\nCustomers may return any item within 30 days of delivery for a full refund.\n';
fs.writeFileSync(policy, policyText);

let upload, notes, store;

await step('files.create with a read stream', async () => {
  upload = await client.files.create({ file: fs.createReadStream(policy), purpose: 'assistants' });
  assert.match(upload.id, /^file-/);
  assert.equal(upload.object, 'file');
  assert.equal(upload.bytes, Buffer.byteLength(policyText));
  assert.equal(upload.filename, 'refunds.md');
  assert.equal(upload.purpose, 'assistants');
  assert.equal(upload.status, 'processed');
  assert.ok(Number.isInteger(upload.created_at) && Math.abs(upload.created_at - Date.now() / 1000) < 300);
});

await step('files.create with toFile, files.retrieve', async () => {
  notes = await client.files.create({
    file: await toFile(Buffer.from('Shipping takes two business days.'), 'shipping.txt', { type: 'text/plain' }),
    purpose: 'assistants',
  });
  assert.deepEqual(await client.files.retrieve(notes.id), notes);
});

await step('vectorStores.create', async () => {
  store = await client.vectorStores.create({
    name: `sdk ${run}`,
    chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 } },
  });
  assert.match(store.id, /^vs_/);
  assert.equal(store.object, 'vector_store');
  assert.equal(store.name, `sdk ${run}`);
  assert.equal(store.status, 'ready');
  assert.equal(store.file_count, 0);
  assert.ok(isRFC3339(store.created_at), `created_at ${store.created_at}`);
  assert.deepEqual(store.file_counts, { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 });
  assert.equal(store.usage_bytes, 0);
});

await step('vectorStores.files.create, then poll retrieve until processed', async () => {
  const added = await client.vectorStores.files.create(store.id, { file_id: upload.id });
  assert.equal(added.id, upload.id);
  assert.equal(added.object, 'vector_store.file');
  assert.equal(added.vector_store_id, store.id);
  assert.equal(added.filename, 'refunds.md');
  assert.ok(['pending', 'processed'].includes(added.status), added.status);
  assert.ok(isRFC3339(added.created_at));
  const done = await waitIndexed(store.id, upload.id);
  assert.equal(done.status, 'processed');
  assert.equal(done.last_error, null);
  assert.equal(done.usage_bytes, upload.bytes);
});

await step("vectorStores.files.createAndPoll (the SDK's poll helper)", async () => {
  const done = await client.vectorStores.files.createAndPoll(store.id, { file_id: notes.id }, { pollIntervalMs: 100 });
  assert.equal(done.id, notes.id);
  assert.equal(done.status, 'completed'); // the poll helper is answered in OpenAI's words
});

await step('vectorStores.retrieve', async () => {
  const got = await client.vectorStores.retrieve(store.id);
  assert.equal(got.status, 'ready');
  assert.equal(got.file_count, 2);
  assert.deepEqual(got.file_counts, { in_progress: 0, completed: 2, failed: 0, cancelled: 0, total: 2 });
  assert.equal(got.usage_bytes, upload.bytes + notes.bytes);
  assert.equal(got.created_at, store.created_at);
});

await step('vectorStores.list pages through every store', async () => {
  const other = await client.vectorStores.create({ name: `sdk ${run} other` });
  const seen = [];
  for await (const vs of client.vectorStores.list({ limit: 1 })) seen.push(vs.id); // one store a page
  assert.ok(seen.includes(store.id) && seen.includes(other.id), `listed ${seen}`);
  assert.equal(new Set(seen).size, seen.length, `a store listed twice: ${seen}`);
  const page = await client.vectorStores.list({ limit: 1 });
  assert.equal(page.data.length, 1);
  assert.equal(page.has_more, true);
  await client.vectorStores.delete(other.id);
});

await step('vectorStores.files.list', async () => {
  const page = await client.vectorStores.files.list(store.id);
  assert.deepEqual(page.data.map((f) => f.id).sort(), [upload.id, notes.id].sort());
  assert.equal(page.has_more, false);
  for (const f of page.data) {
    assert.equal(f.status, 'processed');
    assert.equal(f.vector_store_id, store.id);
  }
});

await step('vectorStores.update renames', async () => {
  const renamed = await client.vectorStores.update(store.id, { name: `sdk ${run} renamed` });
  assert.equal(renamed.id, store.id);
  assert.equal(renamed.name, `sdk ${run} renamed`);
  assert.equal((await client.vectorStores.retrieve(store.id)).name, `sdk ${run} renamed`);
});

await step('errors reach the SDK as its error classes', async () => {
  await rejects(client.vectorStores.retrieve('vs_missing'), OpenAI.NotFoundError, 404, /vs_missing/);
  await rejects(client.vectorStores.files.create(store.id, { file_id: 'file-missing' }), OpenAI.NotFoundError, 404, /file-missing/);
  await rejects(client.vectorStores.create({ name: `sdk ${run} renamed` }), OpenAI.ConflictError, 409, /already exists/);
  await rejects(
    client.vectorStores.create({ chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 5, chunk_overlap_tokens: 0 } } }),
    OpenAI.UnprocessableEntityError, 422, /max_chunk_size_tokens/);
  const stranger = new OpenAI({ baseURL, apiKey: 'sk-not-a-key-of-this-parley-000000', maxRetries: 0 });
  await rejects(stranger.vectorStores.list(), OpenAI.AuthenticationError, 401, /not valid/);
});

await step('an unsupported file ends in error with last_error', async () => {
  const exe = await client.files.create({
    file: await toFile(Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0xff, 0x00]), 'setup.exe', { type: 'application/octet-stream' }),
    purpose: 'assistants',
  });
  await client.vectorStores.files.create(store.id, { file_id: exe.id });
  const failed = await waitIndexed(store.id, exe.id);
  assert.equal(failed.status, 'error');
  assert.equal(failed.last_error?.code, 'unsupported_file');
  assert.match(failed.last_error.message, /unsupported file type/);
  assert.equal((await client.vectorStores.retrieve(store.id)).status, 'error');
  await client.vectorStores.files.delete(exe.id, { vector_store_id: store.id });
});

await step('vectorStores.files.delete', async () => {
  const del = await client.vectorStores.files.delete(upload.id, { vector_store_id: store.id });
  assert.deepEqual(del, { id: upload.id, object: 'vector_store.file.deleted', deleted: true });
  const page = await client.vectorStores.files.list(store.id);
  assert.deepEqual(page.data.map((f) => f.id), [notes.id]);
  await rejects(client.vectorStores.files.retrieve(upload.id, { vector_store_id: store.id }), OpenAI.NotFoundError, 404, /file-/);
});

await step('files.list pages through every upload', async () => {
  const seen = [];
  for await (const f of client.files.list({ limit: 1, purpose: 'assistants' })) {
    seen.push(f.id);
  }
  for (const id of [upload.id, notes.id]) {
    assert.ok(seen.includes(id), `files.list is missing ${id}: ${seen}`);
  }
  assert.equal(new Set(seen).size, seen.length, `files.list repeated a file: ${seen}`);
});

await step('files.delete takes the file out of its stores', async () => {
  const del = await client.files.delete(notes.id);
  assert.deepEqual(del, { id: notes.id, object: 'file', deleted: true });
  await rejects(client.files.retrieve(notes.id), OpenAI.NotFoundError, 404, /file-/);
  const page = await client.vectorStores.files.list(store.id);
  assert.deepEqual(page.data.map((f) => f.id), []);
});

await step('vectorStores.delete', async () => {
  const del = await client.vectorStores.delete(store.id);
  assert.deepEqual(del, { id: store.id, object: 'vector_store.deleted', deleted: true });
  await rejects(client.vectorStores.retrieve(store.id), OpenAI.NotFoundError, 404, /vs_/);
});

fs.rmSync(tmp, { recursive: true, force: true });
console.log('all vector store checks passed');
