"""What the sign-in pages, the access checks, invitations and password resets announce, for the
audit trail to record.

Sign-ins and sign-outs are announced by Flask-Login itself (``user_logged_in``,
``user_logged_out``).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the app; email: as typed; user: the account with that email, if there is one.
sign_in_failed = _signals.signal("sign-in-failed")
# sender: the app; user: who asked; status: the answer (403, or 404 for a city's data that the
# user may not see, so as not to say it exists).
access_denied = _signals.signal("access-denied")

# Invitations and password resets. sender: the app; session: the caller's transaction, where
# the event is recorded with the change it describes; user: the account concerned.
# inviter: who sent it (None for a command, or the person asking again for an expired link);
# renewed: True when the person asked for it again themselves.
invitation_sent = _signals.signal("invitation-sent")
invitation_accepted = _signals.signal("invitation-accepted")
# Only for an existing, active account (the page answers the same for any address).
password_reset_requested = _signals.signal("password-reset-requested")
# sessions_ended: how many other sign-ins the new password ended.
password_reset_completed = _signals.signal("password-reset-completed")
