"""Extract/load: agency files in the landing zone -> raw.<feed>, exactly once, with a ledger."""
