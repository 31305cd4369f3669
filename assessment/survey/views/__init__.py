"""The official's questionnaire: rounds, overview, one page per element, autosave, submit, reopen,
and a city's deadline in a round (changed by its regional office or an administrator).

Nothing an official types is thrown away. The views that take typed input (element pages,
autosave, submit, reopen) are exempt from the global CSRF check and check the token
themselves, so an expired token or an ended sign-in re-renders the page with everything that
was posted instead of an error page or a redirect that drops the POST.
"""

# Importing the page modules registers their routes on the blueprint.
from assessment.survey.views import deadline, home, questions, submission
from assessment.survey.views.blueprint import bp

__all__ = ["bp", "deadline", "home", "questions", "submission"]
