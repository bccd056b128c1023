// Verifies one webhook with the standardwebhooks package, as a receiver
// would. Reads {"secret", "raw", "id", "timestamp", "signature", "body"} as
// JSON on stdin ("raw": the secret is not whsec_..., its bytes are the key).
// Exits 0 if it verifies, 1 if the package rejects it, 2 on any other error.
// Run by webhooks' TestStandardWebhooksNPM.
import { Webhook, WebhookVerificationError } from "standardwebhooks";

let input = "";
for await (const chunk of process.stdin) input += chunk;

try {
  const c = JSON.parse(input);
  const wh = c.raw ? new Webhook(c.secret, { format: "raw" }) : new Webhook(c.secret);
  wh.verify(c.body, {
    "webhook-id": c.id,
    "webhook-timestamp": c.timestamp,
    "webhook-signature": c.signature,
  });
  console.log("verified");
} catch (err) {
  console.log(`${err.name}: ${err.message}`);
  process.exit(err instanceof WebhookVerificationError ? 1 : 2);
}
