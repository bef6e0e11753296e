"""Province-scale synthetic data (generate_scale), the periodic-task guard, and helpers for the scale tests."""
