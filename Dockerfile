# Two images from one file, the two runtimes of the Makefile (docs/deploy.md, "Two runtimes"):
#   target "rasa"      Python 3.10 and Rasa 3.6: the Rasa servers only, never published
#   target "services"  Python 3.12 and current libraries: gateway, console, channels, action server, CLIs
# Models are trained while the images are built: nothing is downloaded or trained at run time.
FROM python:3.10.13-slim-bookworm AS rasa
ENV PYTHONPATH=/app PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=3 RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 HF_HUB_OFFLINE=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/rasa.txt requirements/rasa.lock requirements/
RUN pip install --no-cache-dir "pip<25" "setuptools==70.3.0" "wheel==0.45.1" \
    && pip install --no-cache-dir -r requirements/rasa.txt -c requirements/rasa.lock
COPY . .
RUN python -m bot train
RUN useradd --system --home /app hotline && chown -R hotline /app
USER hotline
CMD ["python", "-m", "bot", "rasa"]

FROM python:3.12-slim-bookworm AS services
ENV PYTHONPATH=/app PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements/services.txt requirements/services.lock requirements/
RUN pip install --no-cache-dir -r requirements/services.txt -c requirements/services.lock
COPY . .
RUN python -m bot train --text-models
# Accounts and the transcript store live in PostgreSQL (DATABASE_URL); nothing is written here.
RUN useradd --system --home /app hotline && chown -R hotline /app
USER hotline
EXPOSE 8080
CMD ["python", "-m", "bot", "serve"]
