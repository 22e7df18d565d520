from django.shortcuts import render

from . import selectors


def track(request):
    """The public tracking page: type a waybill number, see the parcel's steps."""
    number = request.GET.get("no", "").strip()[:60]
    steps = list(selectors.public_timeline(logistics_no=number)) if number else []
    return render(request, "logistics/track.html", {"number": number, "steps": steps})
