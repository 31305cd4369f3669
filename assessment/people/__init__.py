"""People: who is who in a region, for its regional office and for administrators.

The accounts of a region with where each stands (invited, accepted, last sign-in), a city's
officials with how to reach them and when they last worked on the questionnaire, and inviting
new officials and regional colleagues. Regional offices see and invite within their own region
only (``assessment.auth.access``); administrators see everyone.
"""
