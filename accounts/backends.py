from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped when there is no request.

    Every login through the web passes a request and is throttled. Code that calls `authenticate()` without one
    (management commands, the test client's `login()`) has no client IP to throttle by; axes would raise there,
    so this backend steps aside and the next backend checks the password as usual.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
