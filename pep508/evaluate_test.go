package pep508

import "testing"

// FuzzCompare checks that no pair of values panics the version comparison,
// which leans on a library that panics on versions it did not expect.
func FuzzCompare(f *testing.F) {
	for _, s := range [][2]string{
		{"3.13.5", "3.*"}, {"1!2.0.post1+local.7", "1!2.0.post1"}, {"3.14.0rc1", "3.14"},
		{"1.0.dev0", "1.0a1.*"}, {"2.0", "1.0.post1"}, {"", "20.0"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, lhs, rhs string) {
		for _, op := range comparisonOps {
			_, _ = compare(lhs, op, rhs)
		}
	})
}
