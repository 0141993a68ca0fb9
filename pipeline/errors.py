"""The project's exceptions. The CLI catches `PipelineError` once; anything else keeps its traceback."""

from __future__ import annotations


class PipelineError(Exception):
    """Base class for errors the user can act on."""


class ConfigError(PipelineError):
    """A configuration file is missing, malformed or inconsistent."""


class DataError(PipelineError):
    """Input data is malformed; the message says what, where and what was expected."""
