"""Prompt templates (Markdown files), installed as the package `summarizer.prompts`."""
