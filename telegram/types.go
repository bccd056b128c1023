package telegram

import "strconv"

// The Bot API's objects, with the fields the channel reads.

// User is a Telegram user or bot.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

// Name is the user's first and last name.
func (u *User) Name() string {
	if u.LastName == "" {
		return u.FirstName
	}
	return u.FirstName + " " + u.LastName
}

// Chat is where a message was sent.
type Chat struct {
	ID   int64  `json:"id"`
	Type string `json:"type"`
}

// Message is a message of a chat.
type Message struct {
	MessageID   int64                 `json:"message_id"`
	From        *User                 `json:"from,omitempty"`
	Chat        Chat                  `json:"chat"`
	Date        int64                 `json:"date"`
	Text        string                `json:"text,omitempty"`
	Caption     string                `json:"caption,omitempty"`
	ReplyMarkup *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
	// The file the message carries, if any: a photo comes in several
	// sizes, the largest last.
	Document *Media  `json:"document,omitempty"`
	Photo    []Media `json:"photo,omitempty"`
	Voice    *Media  `json:"voice,omitempty"`
	Audio    *Media  `json:"audio,omitempty"`
	Video    *Media  `json:"video,omitempty"`
}

// Media is the Bot API's Document, PhotoSize, Voice, Audio or Video: a
// file Telegram keeps, with the fields they share that the channel reads.
type Media struct {
	FileID   string `json:"file_id"`
	FileName string `json:"file_name,omitempty"`
	MIMEType string `json:"mime_type,omitempty"`
	FileSize int64  `json:"file_size,omitempty"`
	Width    int    `json:"width,omitempty"`
	Height   int    `json:"height,omitempty"`
}

// File is a file ready to download from FilePath (getFile's answer).
type File struct {
	FileID   string `json:"file_id"`
	FileSize int64  `json:"file_size,omitempty"`
	FilePath string `json:"file_path,omitempty"`
}

// Media is the file the message carries, with the MIME type it is sent
// as when Telegram names none ("" then: sniffed from the content), or nil.
// Of a photo's sizes it is the largest.
func (m *Message) Media() (*Media, string) {
	switch {
	case m.Document != nil:
		return m.Document, ""
	case len(m.Photo) > 0:
		best := &m.Photo[0]
		for i := range m.Photo {
			p := &m.Photo[i]
			if p.Width*p.Height > best.Width*best.Height || p.Width*p.Height == best.Width*best.Height && p.FileSize > best.FileSize {
				best = p
			}
		}
		return best, "image/jpeg" // Telegram stores photos as JPEG
	case m.Voice != nil:
		return m.Voice, "audio/ogg" // voice notes are OGG/Opus
	case m.Audio != nil:
		return m.Audio, ""
	case m.Video != nil:
		return m.Video, ""
	}
	return nil, ""
}

// CallbackQuery is a tap on an inline keyboard's button.
type CallbackQuery struct {
	ID      string   `json:"id"`
	From    User     `json:"from"`
	Message *Message `json:"message,omitempty"`
	Data    string   `json:"data,omitempty"`
}

// Update is one thing that happened to the bot.
type Update struct {
	UpdateID      int64          `json:"update_id"`
	Message       *Message       `json:"message,omitempty"`
	CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
}

// InlineKeyboardMarkup is buttons under a message, one per row.
type InlineKeyboardMarkup struct {
	InlineKeyboard [][]InlineKeyboardButton `json:"inline_keyboard"`
}

// InlineKeyboardButton is a button that sends CallbackData when tapped.
type InlineKeyboardButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
}

// MaxCallbackData is the most bytes Telegram keeps of a button's data.
const MaxCallbackData = 64

// Keyboard lays buttons out one per row. A button's data is its text when
// that fits in MaxCallbackData bytes, else "#" and its index: a tap is
// read back from the message's keyboard either way (see ButtonText).
func Keyboard(buttons []string) *InlineKeyboardMarkup {
	if len(buttons) == 0 {
		return nil
	}
	k := &InlineKeyboardMarkup{}
	for i, b := range buttons {
		data := b
		if len(data) > MaxCallbackData || data == "" || data[0] == '#' {
			data = "#" + strconv.Itoa(i)
		}
		k.InlineKeyboard = append(k.InlineKeyboard, []InlineKeyboardButton{{Text: b, CallbackData: data}})
	}
	return k
}

// ButtonText is the text of the button a tap was on: found by its data in
// the tapped message's keyboard, or the data itself.
func ButtonText(q *CallbackQuery) string {
	if q.Message != nil && q.Message.ReplyMarkup != nil {
		for _, row := range q.Message.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.CallbackData == q.Data {
					return b.Text
				}
			}
		}
	}
	if len(q.Data) > 0 && q.Data[0] == '#' {
		return ""
	}
	return q.Data
}
