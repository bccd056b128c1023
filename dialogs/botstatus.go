package dialogs

import (
	"context"
	"sync"
	"time"

	"github.com/parleyhq/parley/store"
)

// botStatusTTL is how long a process believes a bot's status: a bot
// disabled (or enabled again) elsewhere is seen within it.
const botStatusTTL = 2 * time.Second

// botStatuses remembers bots' statuses for botStatusTTL, so a user's
// message reads the bot's row at most every two seconds rather than on
// every turn.
type botStatuses struct {
	mu    sync.Mutex
	known map[int64]botStatus
}

type botStatus struct {
	status string
	at     time.Time
}

// disabled reports whether a dialog's bot is disabled; a bot gone from
// the store is not.
func (s *Service) botDisabled(ctx context.Context, d *store.Dialog) (bool, error) {
	if d.BotID == 0 {
		return false, nil
	}
	b := &s.botStatus
	b.mu.Lock()
	known, ok := b.known[d.BotID]
	b.mu.Unlock()
	if ok && time.Since(known.at) < botStatusTTL {
		return known.status == store.BotDisabled, nil
	}
	bot, err := s.Store.BotByID(ctx, d.ProjectID, d.BotID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	b.mu.Lock()
	if b.known == nil || len(b.known) > recentMax {
		b.known = map[int64]botStatus{}
	}
	b.known[d.BotID] = botStatus{bot.Status, time.Now()}
	b.mu.Unlock()
	return bot.Status == store.BotDisabled, nil
}

// BotStatusChanged tells the service a bot's status changed, so this
// process sees it at once.
func (s *Service) BotStatusChanged(botID int64, status string) {
	s.botStatus.mu.Lock()
	defer s.botStatus.mu.Unlock()
	if s.botStatus.known == nil {
		s.botStatus.known = map[int64]botStatus{}
	}
	s.botStatus.known[botID] = botStatus{status, time.Now()}
}
