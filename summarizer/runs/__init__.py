"""Many articles in one run (`run_batch`): lanes, outcomes, progress and the result files."""
