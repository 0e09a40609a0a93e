"""The bundled sample clinic site: its description (the truth), renderer and server."""
