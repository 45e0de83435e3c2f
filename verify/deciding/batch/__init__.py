"""Running many decisions: local workers (:mod:`.scheduler`), the execution options
(:mod:`.execution`), a Dask cluster (:mod:`.cluster`) and the decision cache (:mod:`.cache`)."""
