"""The bad-input corpus for the ingest layer (issue 3): builders in `build`, cases in `cases`."""
