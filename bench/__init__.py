"""Benchmarks and the synthetic events they (and the fault tests) run on."""
