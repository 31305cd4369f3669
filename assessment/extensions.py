"""Extension objects, created here and bound to the app in ``create_app``.

Nothing else lives here, so any module can import an extension without import cycles.
"""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_wtf.csrf import CSRFProtect

from assessment.database import Database

db = Database()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
login_manager = LoginManager()
mailman = Mail()
# Default limits are off: only the routes that need it (sign-in, token checks) are limited.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
