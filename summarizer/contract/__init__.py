"""The contract: the shapes every layer shares (the pydantic models of contract v1 and the
JSON Schemas generated from them, the article input, report keys, options, defaults and
errors). It imports no other layer."""
