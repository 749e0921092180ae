"""Benchmarks: `make bench` (bench/run.py), `make soak` (bench/soak.py), bench/profile_hot_path.py."""
