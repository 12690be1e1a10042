-- Rasa's tracker store gets its own database: its table "events" would clash with ours.
CREATE DATABASE rasa_tracker OWNER hotline;
