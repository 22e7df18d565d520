def principal(request):
    return {"principal": getattr(request, "principal", None)}
