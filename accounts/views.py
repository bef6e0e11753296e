from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import home_figures_for, home_sections_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A home page per role: a few figures of what this user looks after, and the sections this role works in."""
    context = {"sections": home_sections_for(request.user), "figures": home_figures_for(request.user)}
    return render(request, "accounts/home.html", context)
