"""glassnet playground: train a network live in the browser with glassnet itself.

``glassnet playground`` (or `glassnet.playground.launch.serve`) starts a local Starlette server
(the optional extra ``pip install "glassnet[playground]"``) and opens the page. This package's
core modules — `protocol` (messages, limits, binary frames), `session` (data, networks,
training off the event loop) and `export` ("Copy as Python") — need only NumPy and glassnet;
only `server` and `launch` import Starlette and uvicorn.
"""

__all__ = ["export", "protocol", "session"]
