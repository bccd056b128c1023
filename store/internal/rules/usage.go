package rules

import "github.com/parleyhq/parley/store"

// CheckUsage returns EINVALID for a message's usage with a negative token
// count; nil usage is valid.
func CheckUsage(u *store.Usage) error {
	if u != nil && (u.PromptTokens < 0 || u.CompletionTokens < 0) {
		return store.Errorf(store.EINVALID, "Token counts cannot be negative.")
	}
	return nil
}

// UsageArgs returns the usage_model, usage_prompt_tokens and
// usage_completion_tokens arguments that store u: all nil (NULL) for nil.
func UsageArgs(u *store.Usage) (model, prompt, completion any) {
	if u == nil {
		return nil, nil, nil
	}
	return Clean(u.Model), int64(u.PromptTokens), int64(u.CompletionTokens)
}

// Usage is the usage read back from the usage columns; nil when they are
// NULL (usage_model is set whenever a usage is stored).
func Usage(model *string, prompt, completion *int64) *store.Usage {
	if model == nil {
		return nil
	}
	u := &store.Usage{Model: *model}
	if prompt != nil {
		u.PromptTokens = int(*prompt)
	}
	if completion != nil {
		u.CompletionTokens = int(*completion)
	}
	return u
}
