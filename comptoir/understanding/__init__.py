"""Reading what people write: text in, readings out. No database, no network."""
