package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// TestMistakeInBrowser: a mistake made in a node's form shows on that node
// (its badge) and on its line (the lint gutter) from the server's one
// answer, and undo takes it back, gutter and badge included.
func TestMistakeInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/shop/flow", e.A.Bearer(), shop); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	signIn(t, ctx, e)
	badge := css(`.react-flow__node[data-id="thanks"] .flow-node-badge`)
	run(t, ctx, "making a mistake in the text of thanks",
		chromedp.Click(css(`[data-testid=bot-shop]`)),
		chromedp.WaitVisible(css(`.react-flow__node[data-id="thanks"]`)),
		chromedp.Click(css(`.react-flow__node[data-id="thanks"]`)),
		chromedp.WaitVisible(css(`[data-testid=field-text]`)),
		chromedp.SendKeys(css(`[data-testid=field-text]`), " {{ size + }}"),
		// Leaving the field applies it. Blur, not a click elsewhere in the
		// form: the form's middle can be the field itself on a busy box.
		chromedp.Blur(css(`[data-testid=field-text]`)),
		chromedp.WaitVisible(badge),
		chromedp.WaitVisible(css(`.cm-lint-marker-error`)),
	)
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid=problems-list]').textContent`))
	if err != nil || problems == "" {
		t.Fatalf("the problems list: %q %v", problems, err)
	}
	run(t, ctx, "undoing it",
		chromedp.Click(css(`[data-testid=undo]`)),
		chromedp.WaitNotPresent(badge),
		chromedp.WaitNotPresent(css(`.cm-lint-marker-error`)),
		chromedp.Sleep(100*time.Millisecond),
	)
}

// TestPaletteInBrowser: a question added from the palette and given its
// text in its form is saved as a new block of the file, nothing else
// changed.
func TestPaletteInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/shop/flow", e.A.Bearer(), shop); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	signIn(t, ctx, e)
	run(t, ctx, "adding a question and writing its text",
		chromedp.Click(css(`[data-testid=bot-shop]`)),
		chromedp.WaitVisible(css(`.react-flow__node[data-id="bye"]`)),
		chromedp.Click(css(`[data-testid=palette-question]`)),
		chromedp.WaitVisible(css(`.react-flow__node[data-id="question"]`)),
		chromedp.WaitVisible(css(`[data-testid=field-text]`)),
		chromedp.Focus(css(`[data-testid=field-text]`)),
		chromedp.SetValue(css(`[data-testid=field-text]`), "What colour?"),
		chromedp.Blur(css(`[data-testid=field-text]`)), // leaving the field applies it
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Click(css(`[data-testid=save]`)),
	)
	draft := waitForDraft(t, e)
	if !strings.HasPrefix(draft, shop) {
		t.Fatalf("the file before the new node changed:\n%s", draft)
	}
	added := strings.TrimPrefix(draft, shop)
	if !strings.HasPrefix(added, "  question:\n    kind: question\n") || !strings.Contains(added, "    text: What colour?\n") || !strings.Contains(added, "    ui:") {
		t.Errorf("the new node's block:\n%s", added)
	}
}

// TestNewBotInBrowser: a new bot made from a template opens in the editor
// as a draft with the template's nodes, its `bot:` the new slug.
func TestNewBotInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect)
	signIn(t, ctx, e)
	run(t, ctx, "naming the bot",
		chromedp.WaitReady(css(`[data-testid=new-bot-template] option[value=support]`)),
		chromedp.SendKeys(css(`[data-testid=new-bot-slug]`), "helpdesk"),
	)
	// A select's value set as React sees a person choose it.
	choose := `(() => { const s = document.querySelector('[data-testid=new-bot-template]');
		Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set.call(s, 'support');
		return s.dispatchEvent(new Event('change', {bubbles: true})) })()`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](choose)); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "making it from the support template",
		chromedp.Click(css(`[data-testid=new-bot-create]`)),
		chromedp.WaitVisible(css(`.react-flow__node[data-id="ask_topic"]`)),
	)
	var draft struct{ Source string }
	e.Do("GET", "/v1/bots/helpdesk/draft", e.A.Bearer(), nil).JSON(t, &draft)
	if !strings.Contains(draft.Source, "\nbot: helpdesk\n") || !strings.Contains(draft.Source, "ask_topic:") {
		t.Errorf("the new bot's draft:\n%s", draft.Source)
	}
}

// TestOpenOnCanvasInBrowser: the editor opened at a node (the inbox's
// "open on canvas" link) selects it and shows its form.
func TestOpenOnCanvasInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/shop/flow", e.A.Bearer(), shop); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	signIn(t, ctx, e)
	run(t, ctx, "opening shop at thanks",
		chromedp.Navigate(e.URL+"/ui#/bots/shop?node=thanks"),
		chromedp.WaitVisible(css(`.react-flow__node.selected[data-id="thanks"]`)),
		chromedp.WaitVisible(css(`[data-testid=field-text]`)),
	)
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid=field-text]').value`))
	if err != nil || text != "Thanks, {{ size }} it is." {
		t.Errorf("the form shows %q (%v), want thanks's text", text, err)
	}
}

// TestBotFormInBrowser: with no node selected the form is the bot's own: a
// variable declared there is what a question added from the palette saves
// to, so the file is complete without the text editor (no undeclared
// variable), and the rest of the file is as it was.
func TestBotFormInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/shop/flow", e.A.Bearer(), shop); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	signIn(t, ctx, e)
	run(t, ctx, "declaring a variable in the bot's form",
		chromedp.Navigate(e.URL+"/ui#/bots/shop"),
		chromedp.WaitVisible(css(`.react-flow__node[data-id="bye"]`)),
		chromedp.WaitVisible(css(`[data-testid=bot-form]`)),
		chromedp.SendKeys(css(`[data-testid=bot-var-add]`), "colour\r"),
		chromedp.WaitVisible(css(`[data-testid=bot-var-colour]`)),
	)
	run(t, ctx, "adding a question that saves to it",
		chromedp.Click(css(`[data-testid=palette-question]`)),
		chromedp.WaitVisible(css(`[data-testid=field-text]`)),
		chromedp.Focus(css(`[data-testid=field-text]`)),
		chromedp.SetValue(css(`[data-testid=field-text]`), "What colour?"),
		chromedp.Blur(css(`[data-testid=field-text]`)),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Focus(css(`[data-testid=field-save]`)),
		chromedp.SetValue(css(`[data-testid=field-save]`), "colour"),
		chromedp.Blur(css(`[data-testid=field-save]`)),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Click(css(`[data-testid=save]`)),
	)
	var draft struct {
		Source   string
		Problems []struct{ Code, Message string }
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		e.Do("GET", "/v1/bots/shop/draft", e.A.Bearer(), nil).JSON(t, &draft)
		if strings.Contains(draft.Source, "save: colour") || time.Now().After(deadline) {
			break
		}
	}
	if !strings.Contains(draft.Source, "  size: { type: string }\n  colour: ") || !strings.Contains(draft.Source, "    save: colour\n") {
		t.Fatalf("the draft:\n%s", draft.Source)
	}
	for _, p := range draft.Problems {
		if p.Code == "unknown_variable" {
			t.Errorf("the draft has an undeclared variable: %s\n%s", p.Message, draft.Source)
		}
	}
	nodesBefore := shop[strings.Index(shop, "nodes:"):]
	if !strings.HasPrefix(draft.Source[strings.Index(draft.Source, "nodes:"):], nodesBefore) {
		t.Errorf("the nodes before the new one changed:\n%s", draft.Source)
	}
}
