"""Synthetic agency files for Pantau (see `pantau.generate.generate`)."""
