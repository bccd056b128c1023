package worken

import (
	"context"

	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/parleyhq/parley/netguard"
)

// ExchangeWith is exchangeWith, for TestSSRFOAuthTokenEndpoint.
func ExchangeWith(ctx context.Context, policy netguard.Policy, conf *oauth2.Config, code, verifier string) (*oauth2.Token, error) {
	return exchangeWith(ctx, policy, conf, code, verifier)
}

// VendorFailed is how the OAuth callback answers a failed exchange.
func VendorFailed(c *gin.Context, vendor string, err error) {
	(&handlers{}).vendorFailed(c, vendor, err)
}
