// Package lines holds the one way warpdrive quotes the end of a tool's
// output: an error shows the last lines a failing step printed.
package lines

import "strings"

// Last returns the last n lines of s. A trailing newline ends the last line
// rather than starting an empty one, so "a\nb\n" is two lines; an empty s is
// one empty line.
func Last(s string, n int) []string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return all[max(0, len(all)-n):]
}
