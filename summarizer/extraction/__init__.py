"""Extraction without I/O: the prompts, the steps of one article (calls, repair, drop,
windows) as a generator, and the reading of the model's answers."""
