from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict:
    membership = getattr(getattr(request, "user", None), "membership", None) if request.user.is_authenticated else None
    return {"platform_name": settings.PLATFORM_NAME, "membership": membership}
