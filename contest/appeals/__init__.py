"""Appeals (申诉) and the organisers' decisions on objections (异议) to the 公示 list."""
