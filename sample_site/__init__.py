"""The bundled sample clinic sites: the hand-written one's description (the truth), renderer
and server; and a large generated blog served statically, for benchmarks and tests (generated)."""
