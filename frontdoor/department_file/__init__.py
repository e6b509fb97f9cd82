"""Department files (flows/*.toml): read, checked against the declaration of their keys, and
turned into core Departments (`load.load_departments`)."""
