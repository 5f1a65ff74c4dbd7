"""The home page: each person's work, then the business at a glance."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from . import selectors


@login_required
def home(request):
    return render(
        request,
        "home/home.html",
        {
            "blocks": selectors.my_work(user=request.user),
            "glance": selectors.business_at_a_glance(user=request.user, today=timezone.localdate()),
        },
    )
