def app_factory(global_config, greeting="Hello", **settings):
    def application(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
        return [(greeting + "\n").encode()]

    return application
