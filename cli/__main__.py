"""`python -m cli` runs the `needle` command (for environments without the entry point)."""

from cli import main

main()
