"""The command line (`summarizer`): the outermost layer; nothing imports it."""

from summarizer.cli.main import cli, main

__all__ = ["cli", "main"]
