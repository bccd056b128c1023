package store

import (
	"regexp"
	"strings"
	"testing"
)

// cheap makes hashing fast for the duration of t.
func cheap(t *testing.T) {
	params := PasswordParams
	PasswordParams = Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	t.Cleanup(func() { PasswordParams = params })
}

var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashPassword(t *testing.T) {
	cheap(t)
	a, err := HashPassword("secret")
	if err != nil {
		t.Fatal(err)
	}
	if !phc.MatchString(a) {
		t.Errorf("hash %q is not an argon2id PHC string with the current parameters", a)
	}
	b, err := HashPassword("secret")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("two hashes of one password are both %q; want different salts", a)
	}
}

func TestVerifyPassword(t *testing.T) {
	cheap(t)
	hash, err := HashPassword("secret")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, hash, password string
		want                 bool
	}{
		{"right password", hash, "secret", true},
		{"wrong password", hash, "Secret", false},
		{"empty password", hash, "", false},
		{"no hash", "", "secret", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := VerifyPassword(c.hash, c.password)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("VerifyPassword = %v, want %v", got, c.want)
			}
		})
	}
	t.Run("older parameters still verify", func(t *testing.T) {
		PasswordParams.Time = 2
		got, err := VerifyPassword(hash, "secret")
		if err != nil || !got {
			t.Errorf("VerifyPassword = %v, %v; want true", got, err)
		}
	})
}

func TestVerifyPasswordBadHash(t *testing.T) {
	cheap(t)
	hash, err := HashPassword("secret")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(hash, "$")
	for _, c := range []struct{ name, hash string }{
		{"not PHC", "plain"},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuv"},
		{"other version", strings.Replace(hash, "v=19", "v=16", 1)},
		{"huge memory", strings.Replace(hash, "m=64", "m=99999999", 1)},
		{"zero time", strings.Replace(hash, "t=1", "t=0", 1)},
		{"bad salt", strings.Join([]string{"", parts[1], parts[2], parts[3], "!!", parts[5]}, "$")},
		{"empty key", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], ""}, "$")},
	} {
		t.Run(c.name, func(t *testing.T) {
			if ok, err := VerifyPassword(c.hash, "secret"); err == nil || ok {
				t.Errorf("VerifyPassword = %v, %v; want an error", ok, err)
			}
		})
	}
}
