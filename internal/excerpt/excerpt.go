// Package excerpt quotes what another server answered in an error: on one
// line, cut short. Such errors end up in activity failures, the worker's
// log and API answers, where a whole page (a proxy's HTML, a provider's
// echo of the request) helps nobody and may carry what it should not.
package excerpt

import "strings"

// Max is the most runes an error quotes of an answer.
const Max = 200

// Of is body on one line (runs of white space as one space, invalid UTF-8
// dropped), cut to Max runes with "…" marking the cut.
func Of(body string) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(body, "")), " ")
	if r := []rune(s); len(r) > Max {
		s = string(r[:Max]) + "…"
	}
	return s
}
