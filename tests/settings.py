"""Settings for the test suite: the real settings, with a throwaway secret."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-never-used-by-any-deployment")

from curation.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Cached reads are tested where they are switched on (tests/test_cached_reads.py); elsewhere a
# REDIS_URL in the developer's shell must not make one test's response another's answer.
API_CACHE = False
API_COUNT_CACHE = False
# Throttles are tested where rates are set (tests/test_api_throttle.py); elsewhere the suite's
# thousands of requests from one address must not meet a limit, nor counts left in a shared Redis.
API_THROTTLE_RATES = {"anon": None, "user": None}
# The webhook tests' receivers listen on loopback; tests/test_webhook_destinations.py turns it off.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
# The test client and the live server speak plain HTTP; production's redirect to HTTPS is
# tested where it is switched on (tests/test_deploy_checks.py).
SECURE_SSL_REDIRECT = False
