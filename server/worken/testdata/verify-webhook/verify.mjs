// Checks Worken webhook deliveries with verifyWebhook exactly as Worken's
// API reference writes it (TypeScript types dropped). Reads a JSON array
// of {body (base64 of the raw request body), signature (x-worken-signature),
// secret, want (true: it must verify)} from stdin; prints one line per
// case and exits 1 if any came out otherwise than wanted.
import { createHmac } from 'node:crypto'

function verifyWebhook(body, signature, secret) {
  const expected = createHmac('sha256', secret).update(body).digest('hex')
  return expected === signature
}

let input = ''
for await (const chunk of process.stdin) input += chunk
let failed = false
for (const [i, c] of JSON.parse(input).entries()) {
  const rawBody = Buffer.from(c.body, 'base64').toString('utf8')
  const got = verifyWebhook(rawBody, c.signature, c.secret)
  const ok = got === c.want
  failed ||= !ok
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${i}: verifyWebhook = ${got}, want ${c.want}`)
}
process.exit(failed ? 1 : 0)
