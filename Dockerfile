# One image for every process of the line: gateway, Rasa server, action server.
# The model is trained while the image is built, so nothing is downloaded or trained at run time.
FROM python:3.10.13-slim-bookworm

ENV PYTHONPATH=/app PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=3 RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 HF_HUB_OFFLINE=1
WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt requirements.lock ./
RUN pip install --no-cache-dir "pip<25" "setuptools==70.3.0" "wheel==0.45.1" \
    && pip install --no-cache-dir -r requirements.txt -c requirements.lock

COPY . .
RUN python -m bot train

# Accounts and the transcript store live in PostgreSQL (DATABASE_URL); nothing is written here.
RUN useradd --system --home /app hotline && chown -R hotline /app
USER hotline
EXPOSE 8080 5005 5055
CMD ["python", "-m", "bot", "serve"]
