"""Public pages of an event: results, award lists, 公示 and objections, self-lookup, big screen."""
