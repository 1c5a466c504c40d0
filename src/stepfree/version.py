"""The version of stepfree (also in ``pyproject.toml``; a test keeps the two equal), on the
ground floor so that any stage can name it in what it writes (an answer's provenance)."""

__version__ = "0.1.0"
