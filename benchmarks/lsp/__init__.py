"""Language server benchmark: `python -m benchmarks.lsp`."""
