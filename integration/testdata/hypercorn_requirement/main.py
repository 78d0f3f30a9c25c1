"""A Starlette app whose requirements name hypercorn (as a template that
chose its server would): with no server type chosen, warpdrive serves it
with hypercorn and adds no uvicorn."""
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def index(request):
    return PlainTextResponse("Hello from a Starlette app that depends on hypercorn\n")


app = Starlette(routes=[Route("/", index)])
