"""The checker on the standard library next to pyflakes and ruff."""
