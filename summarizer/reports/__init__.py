"""Views of a summary document and a grounding report for people: Markdown and text."""
