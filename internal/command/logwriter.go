package command

import (
	"bytes"
	"io"

	"github.com/paketo-buildpacks/libpak/v2/log"
)

// Indent returns a writer that puts a command's output into the build log as
// body lines (indented under the layer's header).
func Indent(logger log.Logger) io.Writer {
	return &lineWriter{out: logger.BodyWriter()}
}

type lineWriter struct {
	out io.Writer
	buf bytes.Buffer
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadBytes('\n')
		if err != nil {
			// Keep the partial line for the next write.
			w.buf.Write(line)
			break
		}
		if _, err := w.out.Write(line); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}
