"""Serve an app with uvicorn on a loopback port in a thread with its own event loop."""

import asyncio
import threading
from typing import Any

import uvicorn
from fastapi import FastAPI

from academy_testkit.ports import free_port


class ServerThread:
    """uvicorn in a thread; a runtime's engine (if given) lives and dies in that thread's loop."""

    def __init__(
        self, app: FastAPI, runtime: Any | None = None, *, name: str = "test-uvicorn"
    ) -> None:
        self.app = app
        self._runtime = runtime
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._server.serve())
            if self._runtime is not None:
                loop.run_until_complete(self._runtime.engine.dispose())
        finally:
            loop.close()

    def __enter__(self) -> str:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            threading.Event().wait(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
