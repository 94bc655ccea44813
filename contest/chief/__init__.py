"""The chief judge's desk for one trade."""
