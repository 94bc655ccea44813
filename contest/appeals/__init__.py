"""Appeals (申诉) against a trade's results and the organisers' decisions on objections (异议)."""
