//go:build !unix

package server

// freeSpace cannot be measured here.
func freeSpace(string) (int64, bool) { return 0, false }
