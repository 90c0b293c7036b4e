"""Scripts that run inside a sandboxed copy of a generated Django project, never in Takoss.

Takoss reads them as text and writes them into the copy beside ``manage.py``; the sandbox
(verification.py) runs them with the project's interpreter. Each takes one argument, a JSON file
of parameters, so what they do is decided by the engine and how by Django. They import nothing
from Takoss.
"""
