"""Articles from what the user names: files, stdin, encodings, HTML pages, JSON, JSON Lines
and directories."""
