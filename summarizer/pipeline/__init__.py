"""One path for an article: the flow between its steps and the model, driven sync or
async, and `summarize` / `asummarize`."""
