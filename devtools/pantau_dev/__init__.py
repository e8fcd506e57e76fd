"""Pantau's development tooling: the synthetic agency-file generator and its oracle.

Not part of the runtime package or the production image; installed by the `dev` dependency group
(`make setup`). `pantau generate` and `pantau demo` use it when it is installed.
"""
