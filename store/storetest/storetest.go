// Package storetest is the contract every store.Store implementation must
// meet: one suite, run against SQLite always and PostgreSQL when a database
// is configured, so the two cannot drift apart.
//
// Beyond the comments on store.Store, the suite pins down what callers may
// rely on: lists are never nil; times come back in UTC with at least
// millisecond precision; JSON values (Variables, Buttons, Sources)
// round-trip, except that numbers come back as float64; text with NUL bytes
// or invalid UTF-8 is stored with U+FFFD in their place; a failed write
// leaves nothing behind.
package storetest

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// Clock is a store whose clock the suite sets, to choose the times the
// store stamps records with (a dialog's CreatedAt). The implementations'
// tests give it with a wrapper whose SetNow sets their DB's Now.
type Clock interface {
	store.Store
	SetNow(now func() time.Time)
}

// Run runs the contract suite. open returns a new, empty store and arranges
// for it to be closed when its test ends. Run lowers store.PasswordParams
// for its duration, so it must not run in parallel with tests that depend
// on them.
func Run(t *testing.T, open func(t *testing.T) Clock) {
	params := store.PasswordParams
	store.PasswordParams = store.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	t.Cleanup(func() { store.PasswordParams = params })

	groups := []struct {
		name string
		test func(*testing.T, store.Store)
	}{
		{"Ping", testPing},
		{"Projects", testProjects},
		{"Users", testUsers},
		{"Register", testRegister},
		{"AdminUsers", testAdminUsers},
		{"Memberships", testMemberships},
		{"APIKeys", testAPIKeys},
		{"APIKeyLifecycle", testAPIKeyLifecycle},
		{"OrgProjects", testOrgProjects},
		{"PublishFlow", testPublishFlow},
		{"Bots", testBots},
		{"BotStatus", testBotStatus},
		{"DeleteBot", testDeleteBot},
		{"FlowVersions", testFlowVersions},
		{"CreateDialog", testCreateDialog},
		{"DialogNumbers", testDialogNumbers},
		{"DialogLookups", testDialogLookups},
		{"ListDialogs", testListDialogs},
		{"SearchDialogs", testSearchDialogs},
		{"SaveDialogState", testSaveDialogState},
		{"Messages", testMessages},
		{"UserMessages", testUserMessages},
		{"Usage", testUsage},
		{"Data", testData},
		{"SaveTurn", testSaveTurn},
		{"Watermark", testWatermark},
		{"BlockTokens", testBlockTokens},
		{"Files", testFiles},
		{"Documents", testDocuments},
		{"VectorStores", testVectorStores},
		{"VectorStoreFiles", testVectorStoreFiles},
		{"DeleteDocument", testDeleteDocument},
		{"Chunks", testChunks},
		{"WorkingMemory", testWorkingMemory},
		{"Sources", testSources},
		{"Values", testValues},
		{"EventLog", testEventLog},
		{"TrimEvents", testTrimEvents},
		{"TrimDeliveries", testTrimDeliveries},
		{"EventSeqConcurrent", testEventSeqConcurrent},
		{"Queues", testQueues},
		{"Webhooks", testWebhooks},
		{"WebhookFanOut", testWebhookFanOut},
		{"WebhookClaims", testWebhookClaims},
		{"WebhookAttempts", testWebhookAttempts},
		{"WebhookClaimConcurrent", testWebhookClaimConcurrent},
		{"WebhookLookups", testWebhookLookups},
		{"WebhookStartsNow", testWebhookStartsNow},
		{"DialogModeBefore", testDialogModeBefore},
		{"Drafts", testDrafts},
		{"TestFiles", testTestFiles},
		{"CannedReplies", testCannedReplies},
		{"Sessions", testSessions},
		{"Channels", testChannels},
		{"QAs", testQAs},
		{"AITokens", testAITokens},
		{"Origins", testOrigins},
		{"BillingAccounts", testBillingAccounts},
		{"Charges", testCharges},
		{"ChargesConcurrent", testChargesConcurrent},
		{"LowBalance", testLowBalance},
		{"Invoices", testInvoices},
		{"PlanInvoices", testPlanInvoices},
		{"PayInvoiceConcurrent", testPayInvoiceConcurrent},
		{"Chats", testChats},
		{"Integrations", testIntegrations},
		{"SealedSecrets", testSealedSecrets},
		{"Feedback", testFeedback},
		{"ChatMessages", testChatMessages},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.test(t, open(t))
		})
	}
}
