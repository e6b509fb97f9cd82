"""The territory's resource directory: imports, the store's side of search, answers."""
