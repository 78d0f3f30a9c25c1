package app

import "testing"

func TestParseModuleShape(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want ModuleShape
	}{
		{"Flask app with no __main__ block (Heroku's gunicorn app:app)", `
from flask import Flask

app = Flask(__name__)

@app.route("/")
def index():
    return "hi"
`, ModuleShape{DefinesApp: true}},
		{"Flask's development server under the guard", `
import os
from flask import Flask
app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)), debug=True)
`, ModuleShape{DefinesApp: true, DevServer: "app.run()"}},
		{"one-line guard", "import flask\napp = flask.Flask(__name__)\nif __name__ == '__main__': app.run()\n",
			ModuleShape{DefinesApp: true, DevServer: "app.run()"}},
		{"uvicorn.run in __main__ is a production server", `
import uvicorn
from fastapi import FastAPI
app = FastAPI()
if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=8080)
`, ModuleShape{DefinesApp: true, ProductionServer: "uvicorn.run"}},
		{"a reloading uvicorn is a development server", `
import uvicorn
from fastapi import FastAPI
app = FastAPI()
if __name__ == "__main__":
    uvicorn.run(
        "app:app",
        reload=True,
    )
`, ModuleShape{DefinesApp: true, DevServer: "uvicorn.run with reload=True"}},
		{"waitress.serve through a from-import with an alias", `
from waitress import serve as waitress_serve
from flask import Flask
application = Flask(__name__)
if "__main__" == __name__:
    waitress_serve(application, port=8080)
`, ModuleShape{DefinesApp: true, ProductionServer: "waitress_serve"}},
		{"an unguarded app.run() runs at import", `
from flask import Flask
app = Flask(__name__)
app.run(host="0.0.0.0")
`, ModuleShape{DefinesApp: true, RunsAtImport: `app.run(host="0.0.0.0")`}},
		{"http.server script defines no application", `
import http.server
class Handler(http.server.SimpleHTTPRequestHandler):
    pass
if __name__ == "__main__":
    http.server.ThreadingHTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
`, ModuleShape{}},
		{"a factory", "from flask import Flask\n\ndef create_app(config=None):\n    app = Flask(__name__)\n    return app\n",
			ModuleShape{DefinesApp: true}},
		{"an imported factory", "from .web import create_app\n", ModuleShape{DefinesApp: true}},
		{"names inside a docstring and strings do not count", `"""
app = Flask(__name__)
if __name__ == "__main__":
    uvicorn.run(app)
"""
print("app = 1 # (")
`, ModuleShape{}},
		{"a bot's loop", "import time\nwhile True:\n    time.sleep(1)\n", ModuleShape{RunsAtImport: "while True:"}},
		{"asyncio.run at top level", "import asyncio\nasync def main():\n    pass\nasyncio.run(main())\n",
			ModuleShape{RunsAtImport: "asyncio.run(main())"}},
		{"app.run inside a function is not at import", "from flask import Flask\napp = Flask(__name__)\ndef serve():\n    app.run()\n",
			ModuleShape{DefinesApp: true}},
		{"a comparison is not a binding", "app == 1\n", ModuleShape{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseModuleShape(tt.src); got != tt.want {
				t.Errorf("ParseModuleShape() = %+v, want %+v", got, tt.want)
			}
		})
	}
}
