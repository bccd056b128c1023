// Package worken is the Worken-compatible API
// (shared/seeds/000_65d95d1bb30ee9f5.txt) as a view of Parley's domain:
// bots and their settings, chats (channels) and threads (dialogs) with
// the AI SDK stream and thread events, projects and API keys, billing,
// webhook endpoints, integrations, and its knowledge bases: OpenAI's
// vector store API and the file upload it needs, shaped so that both
// Worken's documented types and the official openai SDK read them.
package worken

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/billing"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// Dialect is the Worken API. It owns the top-level paths of the Worken
// document, so an unknown one is a 404 in Worken's shape. Every route
// needs `Authorization: Bearer sk-...`, a project API key, but for the
// calls a browser or a vendor makes (an invoice's payment page, the
// Telegram webhook, the OAuth callback), which carry their own proof;
// Deps.Knowledge must be set.
var Dialect = server.Dialect{Name: "worken", Owns: []string{"/files", "/vector_stores", "/bots", "/chats", "/threads",
	"/integrations", "/billing", "/projects", "/webhook-endpoints"}, Mount: mount, Fail: fail}

func mount(r *gin.Engine, d server.Deps) {
	if d.Knowledge == nil {
		panic("worken: server.Deps.Knowledge is nil; the vector store API needs a knowledge.Library")
	}
	h := &handlers{Deps: d}
	g := r.Group("/", requireAPIKey, server.Authenticate(d, fail))
	g.GET("/bots", h.listBots)
	g.POST("/bots", h.createBot)
	g.GET("/bots/:bot_id", h.getBot)
	g.POST("/bots/:bot_id", h.updateBot)
	g.POST("/bots/:bot_id/status", h.setBotStatus)
	g.GET("/bots/:bot_id/settings", h.getSettings)
	g.POST("/bots/:bot_id/settings", h.updateSettings)
	g.POST("/bots/:bot_id/clone", h.cloneBot)
	g.POST("/bots/:bot_id/delete", h.deleteBot)
	g.GET("/projects", h.listProjects)
	g.POST("/projects", h.createProject)
	g.POST("/projects/:id/api-keys", h.createAPIKey)
	g.GET("/projects/:id/api-keys", h.listAPIKeys)
	g.DELETE("/projects/:id/api-keys/:key_id", h.deleteAPIKey)
	g.GET("/chats", h.listChats)
	g.GET("/chats/:chat_id", h.getChat)
	g.GET("/chats/:chat_id/threads", h.chatThreads)
	g.POST("/chats/:chat_id/threads/:thread_id/stream", h.streamThread)
	g.GET("/chats/:chat_id/threads/:thread_id/messages", h.threadMessages)
	g.POST("/chats/:chat_id/threads/:thread_id/delete", h.deleteThread)
	g.POST("/chats/:chat_id/threads/:thread_id/mode", h.setThreadMode)
	g.GET("/threads", h.listThreads)
	g.GET("/threads/events", h.threadEvents)
	g.GET("/threads/events/:thread_id", h.threadEvents)
	g.GET("/threads/:thread_id", h.getThread)
	g.POST("/threads/:thread_id/send", h.sendToThread)
	g.GET("/threads/:thread_id/memory", h.threadMemory)
	g.POST("/files", h.uploadFile)
	g.GET("/files", h.listUploads)
	g.GET("/files/:file_id", h.file)
	g.DELETE("/files/:file_id", h.deleteUpload)
	g.POST("/vector_stores", h.createStore)
	g.GET("/vector_stores", h.listStores)
	g.GET("/vector_stores/:id", h.getStore)
	g.POST("/vector_stores/:id", h.updateStore)
	g.DELETE("/vector_stores/:id", h.deleteStore)
	g.POST("/vector_stores/:id/files", h.addFile)
	g.GET("/vector_stores/:id/files", h.listFiles)
	g.GET("/vector_stores/:id/files/:file_id", h.getFile)
	g.DELETE("/vector_stores/:id/files/:file_id", h.deleteFile)
	g.GET("/billing/account", h.billingAccount)
	g.GET("/billing/balance", h.billingBalance)
	g.GET("/billing/transactions", h.listTransactions)
	g.GET("/billing/invoices", h.listInvoices)
	g.POST("/billing/invoices", h.createInvoice)
	g.GET("/billing/offers", h.listOffers)
	r.GET(billing.PayPath(":invoice_id"), h.payPage)         // no API key: the invoice id is the key
	r.POST(billing.PayPath(":invoice_id"), h.confirmPayment) // the admin token
	g.GET("/integrations", h.listIntegrations)
	g.POST("/integrations", h.createIntegration)
	g.GET("/integrations/:id", h.getIntegration)
	g.POST("/integrations/:id", h.updateIntegration)
	g.DELETE("/integrations/:id", h.deleteIntegration)
	g.GET("/integrations/:id/profile", h.integrationProfile)
	g.POST("/integrations/:id/oauth/start", h.oauthStart)
	g.GET("/integrations/:id/chats", h.listIntegrationChats)
	g.POST("/integrations/:id/chats", h.createIntegrationChat)
	g.POST("/integrations/:id/chats/:chat_id", h.updateIntegrationChat)
	g.POST("/integrations/:id/chats/:chat_id/status", h.setIntegrationChatStatus)
	g.DELETE("/integrations/:id/chats/:chat_id", h.deleteIntegrationChat)
	r.POST("/integrations/:id/telegram/webhook", h.telegramWebhook) // Telegram's calls: the secret token, no API key
	r.GET("/integrations/:id/oauth/callback", h.oauthCallback)      // the user's browser, back from the vendor: the state, no API key
	g.GET("/webhook-endpoints", h.listEndpoints)
	g.POST("/webhook-endpoints", h.createEndpoint)
	g.PUT("/webhook-endpoints/:id", h.updateEndpoint)
	g.DELETE("/webhook-endpoints/:id", h.deleteEndpoint)
}

type handlers struct {
	server.Deps
}

var errNoAPIKey = store.Errorf(store.EUNAUTHORIZED, "Send your project API key as `Authorization: Bearer sk-...`.")

// requireAPIKey lets through only `Authorization: Bearer sk-...`: the
// Worken API takes project API keys, not passwords or session tokens.
// server.Authenticate then checks the key.
func requireAPIKey(c *gin.Context) {
	scheme, key, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") || !strings.HasPrefix(strings.TrimSpace(key), store.APIKeyScheme) {
		fail(c, errNoAPIKey)
	}
}

// project is the caller's project.
func project(c *gin.Context) int64 { return server.CallerOf(c).ProjectID }

// bindJSON decodes the body, a JSON object, into v: a missing body, one
// that is not JSON or one with a field of the wrong type is a 400 that
// shows an example. Fields v does not have are ignored, as OpenAI clients
// send some (metadata, expires_after) Parley does not keep.
func bindJSON(c *gin.Context, v any, example string) error {
	return server.BindJSON(c, v, server.Body{Example: example})
}
