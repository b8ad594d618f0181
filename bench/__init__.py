"""Data generators and benchmarks (`make bench`). Not imported by the platform."""
