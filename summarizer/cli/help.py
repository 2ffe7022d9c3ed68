"""Help text shared by the commands."""

EXIT_CODES_HELP = """\b
Exit codes:
  0  done: validate found no problem; summary wrote its document
  1  problems remain: validate found some, summary --on-problems fail, or an
     article of a batch failed (see OUTDIR/errors.jsonl)
  2  bad input: unreadable file, JSON that does not fit the contract, bad option,
     no API key
  3  the model service failed (key rejected, quota, refusal, cut-off, outage)
  70 a bug in summarizer (SUMMARIZER_DEBUG=1 shows the traceback)
  130 interrupted (Ctrl-C)"""
