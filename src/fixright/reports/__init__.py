"""Fleet reports: exposure, fix plan (and, from the contracts domain, coverage and policies)."""
