from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    membership = getattr(user, "membership", None) if user is not None and user.is_authenticated else None
    return {"platform_name": settings.PLATFORM_NAME, "membership": membership}
