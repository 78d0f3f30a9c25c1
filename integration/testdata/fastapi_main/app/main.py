"""A FastAPI app in the layout of FastAPI's "Bigger Applications" tutorial
(app/main.py, started as `uvicorn app.main:app`), a pydantic model as a
request body, no server in the requirements."""
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="warpdrive fixture")


class Item(BaseModel):
    name: str
    price: float
    quantity: int = 1


@app.get("/")
async def index():
    return {"message": "Hello from FastAPI"}


@app.post("/items/{item_id}")
async def create_item(item_id: int, item: Item):
    return {"id": item_id, "name": item.name, "total": item.price * item.quantity}
