"""What proofs and refutations are made of, shared by the kinds: refutation at exact or certified
points (:mod:`.refute`, :mod:`.explicit`), exact normal forms (:mod:`.normal_forms`), the
size-independent prover (:mod:`.noncommutative`), nonnegativity and real-function facts, and the
hints a counterexample carries (:mod:`.hints`)."""
