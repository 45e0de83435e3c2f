"""One procedure per kind of claim: how an equality, a convexity, a degree, a global minimum, a
limit, a recurrence or a proportionality is decided. A new kind of claim is one module here,
registered with :mod:`verify.deciding.dispatch` (:mod:`verify.deciding.engine` imports them all)."""
