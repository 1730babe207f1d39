"""Developer tools that work on the test data (not tests themselves)."""
