// Package native is Parley's own /v1 API.
package native

import (
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// Dialect is the /v1 API.
var Dialect = server.Dialect{Name: "native", Owns: []string{"/v1"}, Mount: mount, Fail: fail}

// mount routes /v1. Roles: a viewer reads; an operator also runs dialogs
// and the desk (takes, writes, hands off and back); an owner also
// publishes flows and manages webhooks. API keys are the project's, an
// owner's.
func mount(r *gin.Engine, d server.Deps) {
	h := &handlers{Deps: d}
	r.POST("/v1/session", h.login)
	v1 := r.Group("/v1", server.AuthenticateWithSessions(d, fail))
	v1.GET("/session", h.session)
	v1.DELETE("/session", h.logout)
	act := v1.Group("", server.RequireRole(store.RoleOperator, fail))
	own := v1.Group("", server.RequireRole(store.RoleOwner, fail))
	v1.GET("/project", h.project)
	own.PATCH("/project", h.updateProject)
	v1.GET("/bots", h.bots)
	v1.GET("/templates", h.templates)
	own.PUT("/bots/:slug/flow", h.publish)
	v1.GET("/bots/:slug/flow", h.flow)
	v1.GET("/bots/:slug/versions", h.versions)
	v1.GET("/bots/:slug/versions/:version", h.version)
	v1.POST("/flows/graph", h.graph)
	own.PUT("/bots/:slug/draft", h.saveDraft)
	v1.GET("/bots/:slug/draft", h.draft)
	own.DELETE("/bots/:slug/draft", h.deleteDraft)
	own.POST("/bots/:slug/draft/publish", h.publishDraft)
	own.POST("/bots/:slug/draft/replay", h.replayDraft)
	act.POST("/bots/:slug/draft/dialogs", d.DialogBudget(fail), h.testDraft)
	h.mountTests(v1, own)
	own.POST("/bots/:slug/channels", h.createChannel)
	v1.GET("/bots/:slug/channels", h.channels)
	own.DELETE("/channels/:id", h.deleteChannel)
	v1.GET("/canned-replies", h.cannedReplies)
	act.POST("/canned-replies", h.saveCannedReply)
	act.DELETE("/canned-replies/:id", h.deleteCannedReply)
	act.POST("/bots/:slug/dialogs", d.DialogBudget(fail), h.createDialog)
	v1.GET("/dialogs", h.listDialogs)
	act.POST("/dialogs/bulk", h.startBulk)
	v1.GET("/bulk/:id", h.bulk)
	v1.GET("/dialogs/:id", h.dialog)
	act.POST("/dialogs/:id/start", h.start)
	act.POST("/dialogs/:id/skip-timer", h.skipTimer)
	act.POST("/dialogs/:id/messages", h.message)
	act.POST("/dialogs/:id/operator", h.operator)
	act.POST("/dialogs/:id/handoff", h.handoff)
	act.POST("/dialogs/:id/files", h.upload)
	act.POST("/dialogs/:id/attachments", h.attach)
	act.POST("/dialogs/:id/approvals/:approval", h.approval)
	act.POST("/dialogs/:id/messages/:seq/feedback", h.feedback)
	v1.GET("/dialogs/:id/events", h.events)
	act.POST("/dialogs/:id/typing", h.typing)
	v1.GET("/events", h.projectEvents)
	v1.GET("/files/:id", server.ServeFile(d, fail))
	v1.GET("/queues", h.queues)
	v1.GET("/queues/:queue", h.queue)
	act.POST("/queues/:queue/take", h.takeNext)
	own.POST("/webhooks", h.createWebhook)
	own.GET("/webhooks", h.listWebhooks)
	own.GET("/webhooks/:id", h.webhook)
	own.PATCH("/webhooks/:id", h.updateWebhook)
	own.DELETE("/webhooks/:id", h.deleteWebhook)
	own.POST("/webhooks/:id/rotate-secret", h.rotateWebhookSecret)
	own.POST("/webhooks/:id/test", h.testWebhook)
	own.GET("/webhooks/:id/deliveries", h.deliveries)
	own.POST("/webhooks/:id/deliveries/:delivery_id/retry", h.retryDelivery)
}

type handlers struct {
	server.Deps
}
