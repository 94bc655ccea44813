"""Internal results for organisers and chief judges: the full breakdown, rankings, exports."""
