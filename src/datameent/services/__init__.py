"""Use cases. Each is one verb function that runs in one unit of work and asks the policy."""
