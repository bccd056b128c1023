// Package webhooks is the wire protocol of Parley's outbound webhooks:
// secrets, signatures, the event body, the retry schedule and one HTTP
// delivery attempt. Storing endpoints and deliveries, and deciding when to
// call Send, belong to the caller (the outbox dispatcher).
//
// Deliveries follow Standard Webhooks (https://www.standardwebhooks.com), so
// receivers can verify them with any of its libraries: the headers
// webhook-id, webhook-timestamp and webhook-signature ("v1,<base64 HMAC>",
// one signature per live secret, so a receiver keeps verifying while a
// secret is rotated). Worken's API documents its own header,
// x-worken-signature (hex HMAC-SHA256 of the body keyed with the secret
// string), and Worken clients check only that one; every delivery carries
// both, and the Worken one is made with the newest secret only.
//
// A webhook's Format picks its bodies: standard webhooks get every event
// they subscribe to under Parley's type, with the caller's data
// (Dispatcher.Data); Worken endpoints get only the events Worken names
// (thread.created, thread.message.created, thread.mode.changed,
// integration.auth_lost, billing.balance.low) in Worken's shapes, and no
// delivery is made of the others. The envelope, {id, type, created_at,
// data}, and the headers are the same for both.
//
// The webhook-id is the same on every attempt of a delivery, so receivers
// can drop duplicates; the timestamp is the time of the attempt, and the
// signature covers it, so each attempt is signed afresh. That lets
// receivers refuse stale or replayed requests (the libraries allow five
// minutes of skew) while a retry hours later still verifies.
//
// A failed attempt is retried on the Standard Webhooks schedule: at once,
// then after 5s, 5m, 30m, 2h, 5h, 10h and 10h (MaxAttempts in all, about a
// day and a few hours). A 410 Gone means the receiver wants no more: the
// endpoint is disabled at once. Redirects are never followed, since a
// signed request must reach only the URL its owner registered.
package webhooks
