"""Privacy by design: consent records, the privacy notice, a person's data exported and
erased, the retention purge. Each concern is a module: ``consent``, ``notice``,
``unsubscribe``, ``registry`` (which columns hold personal data), ``person`` (finding a
person's rows), ``export``, ``erasure``, ``retention``."""
