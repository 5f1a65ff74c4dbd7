"""Staff pages of data rights, a module per right."""
