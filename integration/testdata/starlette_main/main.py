"""A Starlette app in main.py (Cloud Run's convention) with no server in its
requirements: warpdrive sees an ASGI framework and serves it with uvicorn."""
import asyncio
import os

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route


async def index(request):
    return PlainTextResponse(f"Hello from Starlette on port {os.environ.get('PORT')}, scheme {request.url.scheme}\n")


async def stream(request):
    async def chunks():
        for i in range(3):
            yield f"chunk {i}\n"
            await asyncio.sleep(0.2)

    return StreamingResponse(chunks(), media_type="text/plain")


app = Starlette(routes=[Route("/", index), Route("/stream", stream)])
