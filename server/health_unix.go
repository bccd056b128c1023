//go:build unix

package server

import (
	"path/filepath"
	"syscall"
)

// freeSpace is the space left to unprivileged users on dir's file system
// (dir's nearest existing parent's).
func freeSpace(dir string) (int64, bool) {
	for {
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err == nil {
			return int64(st.Bavail) * int64(st.Bsize), true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return 0, false
		}
		dir = parent
	}
}
