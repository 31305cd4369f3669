"""The review of a submitted assessment: evidence documents, a reviewer's decisions answer by
answer, the queries sent back to the city and its replies, the reviewer's queue."""
