package servertest

// Bots the tests of several packages talk to.
const (
	// DeskBot asks for an order number, then hands the dialog to a person
	// in the billing queue; once released it ends saying what the
	// operator set.
	DeskBot = `bot: desk
name: Desk
variables:
  order: { type: string }
  refund: { type: integer, default: 0 }
nodes:
  ask:
    kind: question
    text: Your order number?
    save: order
    next: human
  human:
    kind: handoff
    text: A person will look at order {{ order }}.
    reason: "Refund for {{ order }}"
    queue: billing
    next: done
  done:
    kind: end
    text: "Refunded {{ refund }} for {{ order }}."
`

	// GreeterBot asks a name, greets it, and asks again after "Anything
	// else?".
	GreeterBot = `bot: greeter
variables:
  name: { type: string }
nodes:
  ask:
    kind: question
    text: Your name?
    save: name
    next: hello
  hello:
    kind: message
    text: "Hello, {{ name }}!"
    next: again
  again:
    kind: question
    text: Anything else?
    next: ask
`

	// DocsBot asks for a picture or a PDF, thanks for it, and asks again
	// after "Anything else?".
	DocsBot = `bot: docs
variables:
  scan: { type: object }
nodes:
  ask_scan:
    kind: question
    text: Upload a scan of your ID.
    input: { type: file, accept: [image/*, application/pdf] }
    save: scan
    next: thanks
  thanks:
    kind: message
    text: "Got {{ scan.name }}."
    next: again
  again:
    kind: question
    text: Anything else?
    next: ask_scan
`
)
