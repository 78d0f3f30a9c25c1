package pep508

import "fmt"

// SyntaxError is a marker or requirement that does not parse.
type SyntaxError struct {
	// Input is the whole text given to ParseMarker or ParseRequirement.
	Input string
	// Pos is the 0-based byte offset in Input where parsing failed.
	Pos int
	// Msg says what was wrong, e.g. "expected a marker variable".
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s at position %d in %q", e.Msg, e.Pos, e.Input)
}

func syntaxError(input string, pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Input: input, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}
