"""The model service: the OpenAI-compatible chat client (sync and async), retries, the
rate gate of a batch, and answering from recordings (`--replay`)."""
