"""Fetch agency files from where agencies send them (SFTP servers, a team mailbox) into the
landing zone, recording where each came from. `fetch.fetch_feed_sources` is the entry point; the
registry (feeds.yml `sources:`) says which sources a feed has.

Their audit tables (source_fetches, feedback) are created by warehouse.bootstrap."""
