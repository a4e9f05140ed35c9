"""Service contracts and their per-serial coverage lines."""
