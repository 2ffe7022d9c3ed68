"""The checks: a pure function of (article text, extraction) to a grounding report
(`checks.validate`); no I/O, no model, no clock. Imports only the contract."""
