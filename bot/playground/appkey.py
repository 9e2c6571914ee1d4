"""The aiohttp application key under which the Playground is stored."""

from __future__ import annotations

from aiohttp import web

from .state import Playground

PLAYGROUND_KEY = web.AppKey("playground", Playground)
