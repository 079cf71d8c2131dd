"""Pure rules and types of datameent: no I/O, no framework, no settings."""
