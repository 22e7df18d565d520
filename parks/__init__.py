"""The offline platform, "one zone, multiple parks": the pilot zone, its parks and their services,
and enterprises' applications to settle in a park. The bottom app: it imports no other."""
