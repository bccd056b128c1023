// Package examples holds the example bots, built into the binary: the web
// editor's templates for new bots.
package examples

import (
	"embed"
	"io/fs"
	"path"
	"strings"
)

//go:embed bots/*.yaml
var bots embed.FS

// Bot is an example bot file.
type Bot struct {
	Slug   string // its file's name: the bot's slug
	Source string // the YAML as written
}

// Bots returns the example bot files (not their conversation tests), by
// slug.
func Bots() []Bot {
	names, _ := fs.Glob(bots, "bots/*.yaml") // the pattern is valid
	var out []Bot
	for _, name := range names {
		if strings.HasSuffix(name, ".test.yaml") {
			continue
		}
		src, err := bots.ReadFile(name)
		if err != nil {
			continue // embedded: always there
		}
		out = append(out, Bot{Slug: strings.TrimSuffix(path.Base(name), ".yaml"), Source: string(src)})
	}
	return out
}
