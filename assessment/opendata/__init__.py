"""Open data: the scores cities chose to publish, round by round, and the aggregates of their groups."""
