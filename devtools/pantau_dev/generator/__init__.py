"""Synthetic agency files for Pantau (see `pantau_dev.generate.generate`)."""
