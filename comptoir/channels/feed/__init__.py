"""The feed channel: RSS and Atom feeds of blogs and the press, read with conditional GET."""
