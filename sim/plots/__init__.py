"""Pictures drawn from results: maps, sky plots, timelines. Matplotlib is imported here only.

Every function takes ``ax=None`` (or draws its own figure), returns the figure and never calls
``show()``.
"""
