package rules

import (
	"encoding/json"
	"fmt"

	"github.com/parleyhq/parley/store"
)

// JSON encodes a dialog's variables or a message's buttons for storing.
// nil encodes as null and an empty value as {} or [], so both come back as
// they went in.
func JSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encoding JSON: %w", err)
	}
	return string(b), nil
}

// Variables decodes stored variables. Numbers come back as float64, as from
// any JSON decoding; strings, bools, nulls, lists and maps keep their shape.
func Variables(s string) (map[string]any, error) {
	var v map[string]any
	if err := decode(s, &v); err != nil {
		return nil, fmt.Errorf("decoding variables: %w", err)
	}
	return v, nil
}

// ProfileJSON encodes a person's profile for storing; none is {}.
func ProfileJSON(p map[string]any) (string, error) {
	if p == nil {
		return "{}", nil
	}
	return JSON(p)
}

// Profile decodes a stored profile; {} reads back as nil, as it was given.
func Profile(s string) (map[string]any, error) {
	var p map[string]any
	if err := decode(s, &p); err != nil {
		return nil, fmt.Errorf("decoding the user's profile: %w", err)
	}
	if len(p) == 0 {
		return nil, nil
	}
	return p, nil
}

// ScheduledJSON encodes a dialog's scheduled messages for storing; none is [].
func ScheduledJSON(ms []store.ScheduledMessage) (string, error) {
	if ms == nil {
		ms = []store.ScheduledMessage{}
	}
	return JSON(ms)
}

// Scheduled decodes stored scheduled messages; none is nil, as a dialog
// without any is written.
func Scheduled(s string) ([]store.ScheduledMessage, error) {
	var v []store.ScheduledMessage
	if err := decode(s, &v); err != nil {
		return nil, fmt.Errorf("decoding scheduled messages: %w", err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

// Buttons decodes a stored list of buttons.
func Buttons(s string) ([]string, error) {
	var v []string
	if err := decode(s, &v); err != nil {
		return nil, fmt.Errorf("decoding buttons: %w", err)
	}
	return v, nil
}

func decode(s string, v any) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}
