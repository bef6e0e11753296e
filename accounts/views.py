from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import home_sections_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A home page per role: the sections this role works in."""
    return render(request, "accounts/home.html", {"sections": home_sections_for(request.user)})
