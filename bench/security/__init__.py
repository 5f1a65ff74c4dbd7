"""The families of cases of bench/bench_security.py, one module each, and what they share."""
