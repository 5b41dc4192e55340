"""One module per engine, each implementing the builders described in ``shapes``."""

ENGINES = ("salsify_engine", "pyinc_engine", "revlet_engine", "incr_engine", "cascade_engine")
