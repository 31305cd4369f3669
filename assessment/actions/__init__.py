"""A city's action plan: the steps its officials take on the report's recommendations, who owns
them, by when, and how far they have got. The plan belongs to the city and is carried from
round to round; nothing in it changes a score."""
