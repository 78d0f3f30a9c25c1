package app

// LocalInputs are the local paths a lock's pins install from, as the
// requirements files' are: an editable directory is linked (its metadata
// is the venv's input), any other path is copied (its whole tree is).
func (l Lock) LocalInputs() []LocalInput {
	var out []LocalInput
	for _, pin := range l.Pins {
		if pin.Source != SourcePath {
			continue
		}
		kind := LocalPath
		if pin.Editable {
			kind = LocalEditable
		}
		out = append(out, LocalInput{Kind: kind, Path: pin.Ref, File: l.File})
	}
	return out
}

// Digest is what a venv built from the input depends on (see digest).
func (in LocalInput) Digest(dir string) (string, error) { return in.digest(dir) }
