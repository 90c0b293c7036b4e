"""The REST API (``/api/``): DRF views for JSON, async views for Server-Sent Events.

Views here are thin: they parse input, call generator/services.py and accounts/services.py (the
same functions the web pages call) and shape the answer. See docs/api.md.
"""
