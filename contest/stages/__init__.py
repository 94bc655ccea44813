"""The stage windows of an event and its trades: opened and closed by the schedule or by
hand, and what reaching a stage sets off."""
