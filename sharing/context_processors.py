"""Templates' context: the request's principal."""


def principal(request):
    return {"principal": getattr(request, "principal", None)}
