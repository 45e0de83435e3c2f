"""Evaluating expressions: sizes to try (:mod:`.sizing`), points (:mod:`.sampling`), instantiation as
SymPy matrices (:mod:`.instantiate`), jets and exact Fraction jets for derivatives
(:mod:`.jets`, :mod:`.fraction_jets`), certified values (:mod:`.certified`, :mod:`.values`) and
the kinks of piecewise functions (:mod:`.kinks`)."""
